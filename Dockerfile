# One image for web, worker and beat (docker-compose.yml runs it three ways), so they never drift.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH"

WORKDIR /app
RUN pip install --no-cache-dir uv
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --compile-bytecode --python /usr/local/bin/python3.12

COPY . .
# collectstatic runs with production settings (hashed file names for whitenoise); these
# throw-away values only let the settings load and never reach a running container.
RUN DEBUG=false ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.db \
    REDIS_URL=redis://build:6379/0 EMAIL_URL=smtp://build:25 \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    python manage.py collectstatic --no-input

RUN useradd --system --uid 1000 growthlab && mkdir -p /app/media && chown growthlab /app/media
USER growthlab
EXPOSE 8000
CMD ["gunicorn", "growthlab.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", "--timeout", "60", "--access-logfile", "-"]
