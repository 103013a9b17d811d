"""Entry point for gunicorn (`gunicorn wsgi:app`) and the flask command (`flask --app wsgi`)."""
from feedback import create_app
from feedback.calendar import warm_holidays

app = create_app()
# Each worker's first case would otherwise wait while the holiday tables are built (0.1-0.6 s).
warm_holidays()
