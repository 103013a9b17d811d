"""No unpublished or personal data is reachable from any public page, feed, PDF or API response."""
import re
import subprocess
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

from feedback.api.services import create_key
from feedback.extensions import db
from feedback.models import Answer, utcnow
from tests import factories
from tests.publication.helpers import make_case, person, publish

PUBLIC_PREFIXES = ("/answers", "/hotlines", "/statistics", "/units/", "/open311/")
SECRETS = [
    "Trần Thị Bích", "Tran Thi Bich", "0912345678", "912345678", "+84912345678", "bich.tran@example.vn",
    "12 Lê Lợi", "Lê Văn Tám", "Le Van Tam", "BÍ MẬT CHƯA CÔNG KHAI", "Dự thảo nội bộ", "Bản gốc có số điện thoại",
    "thiet-bi-bich", "tk-bich",
]


def _seed():
    tree = factories.province_tree()
    category = factories.category("thai-do", name_vi="Thái độ phục vụ")
    member = factories.staff(tree["counter_a"], full_name="Lê Văn Tám", position="Công chức một cửa")
    citizen = person()
    # Published, but the public texts were set directly (as an import would) with personal data left in:
    # the index redacts them again with what the case knows.
    leaky = publish(
        tree["counter_a"], category,
        "Ông Lê Văn Tám quát tháo; tôi là Trần Thị Bích, số 0912345678, email bich.tran@example.vn",
        "Đơn vị đã làm việc với ông Lê Văn Tám. Liên hệ bà Trần Thị Bích tại 12 Lê Lợi, Nha Trang.",
        description="Bản gốc có số điện thoại 0912345678", staff=member, complainant=citizen,
        conclusion="substantiated", published_at=utcnow() - timedelta(days=1),
    )
    # Answered but not published; and a case whose citizen refused publication.
    hidden = make_case(tree["counter_a"], category, "BÍ MẬT CHƯA CÔNG KHAI: Lê Văn Tám nhận tiền", staff=member,
                       complainant=citizen, status="answered", answered_at=utcnow())
    db.session.add(Answer(complaint=hidden, body="Dự thảo nội bộ", status="sent"))
    refused = publish(tree["b"], category, "BÍ MẬT CHƯA CÔNG KHAI lần hai", "Dự thảo nội bộ", consent=False,
                      complainant=citizen)
    _key, clear = create_key("test")
    db.session.commit()
    return tree, leaky, refused, clear


def _text_of(response, tmp_path):
    if response.mimetype == "application/pdf":
        path = tmp_path / "page.pdf"
        path.write_bytes(response.data)
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    return response.get_data(as_text=True)


def _links(body):
    return re.findall(r'(?:href|src)="([^"]+)"', body) + re.findall(r"<(?:id|link)[^>]*?>(https?://[^<]+)<", body)


def test_crawl_public_urls_for_personal_or_unpublished_data(client, app, tmp_path):
    tree, leaky, refused, key = _seed()
    # The Open311 client posts a case with contact details: they must not come back out.
    created = client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "thai-do", "description": "BÍ MẬT CHƯA CÔNG KHAI qua API",
        "phone": "0912345678", "email": "bich.tran@example.vn", "first_name": "Bích", "last_name": "Trần Thị",
        "address_string": "12 Lê Lợi, Nha Trang", "device_id": "thiet-bi-bich", "account_id": "tk-bich",
    }).get_json()[0]
    month = utcnow().strftime("%Y-%m")
    start = [
        "/answers", "/answers?q=quat+thao", "/answers?q=nhan+tien", "/answers?q=bi+mat", "/answers?q=du+thao", "/hotlines",
        "/statistics", "/statistics.csv", "/statistics.json", f"/answers/{leaky.public_ref}",
        "/open311/discovery.json", "/open311/v2/services.json", "/open311/v2/services/thai-do.xml",
        "/open311/v2/requests.json", "/open311/v2/requests.xml", f"/open311/v2/requests/{created['service_request_id']}.json",
        "/open311/openapi.json",
    ] + [f"/answers/feed/{u.code}.atom" for u in tree.values()] \
      + [f"/units/{u.code}/answers-{month}.pdf" for u in tree.values()] \
      + [f"/units/{u.code}/poster" for u in tree.values()] + [f"/units/{u.code}/poster.pdf" for u in tree.values()]
    seen, queue, fetched = set(), list(start), 0
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code in (200, 404), url
        body = _text_of(response, tmp_path)
        fetched += 1
        for secret in SECRETS:
            assert secret not in body, f"{secret!r} reachable at {url}"
        assert refused.public_ref not in body
        for link in _links(body):
            parts = urlsplit(urljoin("https://hotline.example.vn" + url, link))
            path = parts.path + ("?" + parts.query if parts.query else "")
            if parts.netloc == "hotline.example.vn" and path.startswith(PUBLIC_PREFIXES):
                queue.append(path)
    assert fetched > 30
    # The redacted published answer is there, with the staff member by position only.
    page = client.get(f"/answers/{leaky.public_ref}").get_data(as_text=True)
    assert "Công chức một cửa quát tháo" in page
    assert client.get(f"/answers/{refused.public_ref}").status_code == 404
