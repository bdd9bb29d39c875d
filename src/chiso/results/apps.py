from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "chiso.results"
    label = "results"
