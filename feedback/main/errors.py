"""Error pages in the visitor's language; never a bare 500."""
from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from feedback.extensions import db

MESSAGES = {
    400: lambda: _("Yêu cầu không hợp lệ."),
    403: lambda: _("Không có quyền truy cập trang này."),
    404: lambda: _("Không tìm thấy trang được yêu cầu."),
    405: lambda: _("Phương thức không được hỗ trợ."),
    413: lambda: _("Dữ liệu gửi lên quá lớn. Vui lòng gửi tệp nhỏ hơn."),
    429: lambda: _("Đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."),
    500: lambda: _("Hệ thống gặp sự cố. Vui lòng thử lại sau."),
}


def _wants_json():
    return request.path.startswith(("/api/", "/open311/")) or request.accept_mimetypes.best == "application/json"


def _render(code, message):
    if _wants_json():
        return jsonify(error=message, status=code), code
    return render_template("errors/error.html", code=code, message=message), code


def register_error_handlers(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(400, _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và gửi lại."))

    @app.errorhandler(HTTPException)
    def http_error(error):
        if request.path.startswith("/open311/") and not request.path.endswith("/openapi.json"):
            from feedback.api.routes import http_error as open311_error

            return open311_error(error)
        # For a 400 a description given at abort() (already in the visitor's language) says what was wrong;
        # other codes keep their own line (Flask-Limiter's 429 description is the limit, in English).
        if error.code == 400 and error.description and error.description != type(error).description:
            message = error.description
        else:
            message = MESSAGES.get(error.code, lambda: error.description)()
        return _render(error.code or 500, message)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        db.session.rollback()
        if app.testing and not app.config.get("TESTING_HIDE_ERRORS"):
            raise error
        app.logger.exception("unhandled error on %s", request.path)
        return _render(500, MESSAGES[500]())
