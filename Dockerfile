# One image for the web process (gunicorn) and the Celery worker; see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
# DejaVu Sans: the Vietnamese letters of the PDFs (the decision's annex, scorecards).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN pip install --upgrade pip && pip install . \
    && DJANGO_DEBUG=false ALLOWED_HOSTS=localhost \
       DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
       python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 cchc && mkdir -p /app/var/media && chown -R cchc /app/var

USER cchc
EXPOSE 8000
CMD ["gunicorn", "cchc_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
