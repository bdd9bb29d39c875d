"""gunicorn settings for chiso: ``gunicorn -c python:chiso.gunicorn_conf chiso.wsgi:application``.

Each worker derives every year's figures once when it starts, so the first visitor after a
restart does not wait for them."""

import logging

from gunicorn.glogging import Logger

workers = 2
threads = 4
accesslog = "-"

#: The public addresses of surveys: the web form and the public intake (the form promises, per Nghị định
#: 13/2023/NĐ-CP, that the respondent's network address is not stored).
SURVEY_PATHS = ("/phieu/", "/api/public/surveys/")
_ADDRESS_ATOMS = ("forwarded", "real-ip", "real_ip", "client-ip", "client_ip", "remote_addr", "remote-addr")


class AccessLogger(Logger):
    """The access log without the address of a citizen answering a survey: for the public survey paths
    the remote address and every header or environ variable that carries one are written as "-"."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        if str(atoms.get("U") or "").startswith(SURVEY_PATHS):
            atoms["h"] = "-"
            for key in atoms:
                if key.startswith("{") and any(word in key for word in _ADDRESS_ATOMS):
                    atoms[key] = "-"
        return atoms


logger_class = AccessLogger


def post_worker_init(worker):
    try:
        from chiso.analysis.services import available_years, year_figures
        from chiso.frameworks.models import Index

        for index in Index.objects.all():
            for year in available_years(index.code):
                year_figures(index.code, year)
    except Exception:  # a cold cache is slower, never fatal
        logging.getLogger("chiso").exception("warming the figures cache failed")
