from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "chiso.frameworks"
    label = "frameworks"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Index

        # An index's name, order or owner is shown from caches keyed by the results version (the header's
        # indices, the analysis page's body): any change to an index moves that version.
        for signal in (post_save, post_delete):
            signal.connect(_index_changed, sender=Index, dispatch_uid=f"index-version-{signal is post_save}")


def _index_changed(**_kwargs) -> None:
    from chiso.results.version import bump_data_version

    bump_data_version()
