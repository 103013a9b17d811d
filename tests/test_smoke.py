def test_home_page_in_vietnamese(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="vi"' in response.get_data(as_text=True)
    assert "Phản ánh, kiến nghị" in response.get_data(as_text=True)


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"


def test_unknown_page_is_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_passwords_use_scrypt_outside_tests(make_app):
    from feedback.models import User

    app = make_app(PASSWORD_HASH_METHOD="scrypt")
    with app.app_context():
        user = User(email="a@b.vn", full_name="A", role="admin")
        user.set_password("mật khẩu dài")
        assert user.password_hash.startswith("scrypt:")
        assert user.check_password("mật khẩu dài") and not user.check_password("sai")


def test_home_page_explains_sms_tracking_in_both_languages(client):
    assert "nhắn TRA kèm mã phản ánh" in client.get("/").get_data(as_text=True)
    assert "text TRA followed by your code" in client.get("/?lang=en").get_data(as_text=True)


def test_labels_kept_in_python_dicts_are_translated(app, client):
    from feedback.extensions import db
    from tests import factories
    from tests.conftest import login

    tree = factories.province_tree()
    handler = factories.user("handler", tree["a"])
    db.session.commit()
    login(client, handler)
    assert "Chuyên viên xử lý" in client.get("/cases/").get_data(as_text=True)
    english = client.get("/cases/?lang=en").get_data(as_text=True)
    assert "Chuyên viên xử lý" not in english and "Case officer" in english


def test_the_favicon_exists_and_every_page_names_it(client):
    """Issue 14: /favicon.ico was a 404 on every page."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon" href="/favicon.ico"' in client.get("/").get_data(as_text=True)
