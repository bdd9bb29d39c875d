"""gunicorn settings for chiso: ``gunicorn -c python:chiso.gunicorn_conf chiso.wsgi:application``.

Each worker derives every year's figures once when it starts, so the first visitor after a
restart does not wait for them."""

import logging

workers = 2
threads = 4
accesslog = "-"


def post_worker_init(worker):
    try:
        from chiso.analysis.services import available_years, year_figures
        from chiso.frameworks.models import Index

        for index in Index.objects.all():
            for year in available_years(index.code):
                year_figures(index.code, year)
    except Exception:  # a cold cache is slower, never fatal
        logging.getLogger("chiso").exception("warming the figures cache failed")
