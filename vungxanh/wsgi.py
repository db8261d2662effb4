import os

from django.core.wsgi import get_wsgi_application

from vungxanh.lib.privacy import private_umask

# Before anything is written: the database, uploads and caches are this account's only.
private_umask()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vungxanh.settings")
application = get_wsgi_application()
