from flask import current_app, render_template

from feedback.privacy import bp


@bp.route("/bao-ve-du-lieu-ca-nhan")
def notice():
    """What is collected, why, for how long, who sees it, and the citizen's rights."""
    return render_template("privacy/notice.html", years=current_app.config["PERSONAL_DATA_RETENTION_DAYS"] // 365)
