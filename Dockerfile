# Production image: gunicorn serving portal.wsgi; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    PORTAL_VAR_DIR=/var/lib/portal

# WeasyPrint needs pango and a Cyrillic font; gettext for the compiled locale.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       fonts-dejavu-core gettext curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 1000 portal \
    && mkdir -p /var/lib/portal/private && chown -R portal /var/lib/portal

# Only what production runs: the packages of pyproject.toml, templates, static files, the
# compiled locale and manage.py. Not devtools (demo data, ESIA emulator), tests, bench, docs.
WORKDIR /app
COPY pyproject.toml README.md ./
COPY portal ./portal
COPY gateways ./gateways
COPY policies ./policies
COPY clinics ./clinics
COPY claims ./claims
COPY feedback ./feedback
COPY payments ./payments
COPY employers ./employers
COPY shop ./shop
COPY cabinet ./cabinet
COPY api ./api
RUN pip install ".[production]"
COPY manage.py gunicorn.conf.py ./
COPY templates ./templates
COPY static ./static
COPY locale ./locale

# Static files are collected at build time; the values below exist only for this step.
RUN DJANGO_SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 DJANGO_ALLOWED_HOSTS=localhost FIELD_ENCRYPTION_KEY=build \
    SHARED_MEDIA_ROOT=/var/lib/portal/private \
    python manage.py collectstatic --noinput

USER portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD curl -fsS http://127.0.0.1:8000/healthz/ || exit 1
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-", "--forwarded-allow-ips", "*"]
