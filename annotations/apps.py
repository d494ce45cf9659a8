from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotations"

    def ready(self):
        from annotations import receivers
        from articles.signals import article_created, article_revised

        article_revised.connect(receivers.reanchor_on_revision, dispatch_uid="annotations-reanchor")
        article_created.connect(receivers.suggest_on_import, dispatch_uid="annotations-suggest")
