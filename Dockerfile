# EXCOM Registration: one image for web (gunicorn), worker and beat (Celery).

# Chart.js for the staff dashboard, from the npm registry, at the version package-lock.json pins.
FROM node:20-bookworm-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=excom.settings.production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/data/media \
    DJANGO_PRIVATE_ROOT=/data/private

# WeasyPrint's libraries, the Noto fonts for names in any script, HarfBuzz subsetting (without
# it, badges with CJK names take seconds), gettext for the translations.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
      fonts-noto-core fonts-noto-cjk gettext \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system excom && useradd --system --gid excom --home-dir /app excom
WORKDIR /app

# The project runs from /app (templates, static and locale beside the code), installed in place.
COPY pyproject.toml README.md manage.py Procfile ./
COPY excom ./excom
COPY delegates ./delegates
COPY registration ./registration
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY --from=assets /assets/node_modules/chart.js/dist/chart.umd.js /assets/node_modules/chart.js/dist/chart.umd.js.map ./node_modules/chart.js/dist/
RUN pip install -e .

# The compact Korean badge fonts, static files and compiled translations are built into the
# image; a throwaway key does here.
RUN export DJANGO_SECRET_KEY=build-only-key-build-only-key-build-only-key-build-only \
      FIELD_ENCRYPTION_KEYS=YnVpbGQtb25seS1rZXktYnVpbGQtb25seS1rZXktISE= \
 && python manage.py build_badge_fonts \
 && python manage.py collectstatic --no-input -v0 \
 && python manage.py compilemessages -v0 \
 && mkdir -p /data/media /data/private \
 && chown -R excom:excom /data

USER excom
EXPOSE 8000
CMD ["gunicorn", "excom.wsgi:application", "--config", "excom/gunicorn.conf.py"]
