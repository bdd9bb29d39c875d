"""Reference and demo data loaders: ``load_reference`` (administrative units, regions, the shipped index
frameworks, the task library) and ``load_demo`` (the published results shipped with chiso, demo
accounts and the demo plans of ``demo_plans``)."""
