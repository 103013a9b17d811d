"""Triage of free text: which unit, which staff member and which category a complaint is about.

`services.suggest()` reads one text and returns a `Suggestion` (each field with a confidence and the
next-best candidates); the job that follows a committed case stores it and, where the text names a unit
surely enough, routes the case through the ordinary routing rules. Operators' choices are kept and used
at the next retraining (`jobs.retrain`, every six hours).
"""


def init_app(app):
    from feedback.jobs.worker import register_periodic
    from feedback.triage.commands import triage_cli
    from feedback.triage.jobs import RETRAIN_EVERY

    app.cli.add_command(triage_cli)
    register_periodic("triage.retrain", "feedback.triage.jobs.retrain", RETRAIN_EVERY)
