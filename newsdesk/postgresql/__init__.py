"""Django's PostgreSQL backend, tuned (settings.DATABASES uses it for postgres:// URLs)."""
