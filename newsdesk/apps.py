from django.apps import AppConfig


class NewsdeskConfig(AppConfig):
    """The project package as an app: wiring that belongs to no feature app."""

    name = "newsdesk"

    def ready(self):
        from django.db.backends.signals import connection_created

        from newsdesk import db

        connection_created.connect(db.on_connection_created, dispatch_uid="newsdesk.db")
