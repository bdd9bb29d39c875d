"""Official documents (kế hoạch, báo cáo, công văn) in the statutory layout of Nghị định 30/2020/NĐ-CP,
rendered to DOCX and PDF from the same content (``model``, ``docx_render``, ``pdf_render``), with layouts a
province adjusts without code (``DocumentLayout``, ``services.layout_for``)."""
