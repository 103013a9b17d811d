"""Write tests/triage/labelled.jsonl: realistic complaint texts labelled with unit, staff and category.

Run against a database holding the demo province (`flask seed-demo`):
    .venv/bin/python -m tests.triage.make_labelled
The texts are built from phrasings written for this set (none is in feedback/triage/exemplars.py) and
varied the way citizens write: without diacritics, with abbreviations and typos, names with kinship
words, counters, positions, two places in one text, and texts that name no unit.
"""
import json
import os
import random
import re

from feedback.text import fold

OUT = os.path.join(os.path.dirname(__file__), "labelled.jsonl")

PROBLEMS = {
    "thai_do": ["nói năng cộc lốc, quát tôi giữa đông người", "thái độ khinh khỉnh, hỏi gì cũng gắt",
                "mặt nặng mày nhẹ, bảo tôi về đọc lại bảng", "la mắng cụ già đi làm giấy", "nạt nộ, không cho tôi hỏi",
                "trả lời cho có, quay mặt đi chỗ khác"],
    "giay_to_ngoai_quy_dinh": ["bắt tôi nộp thêm giấy xác nhận độc thân không có trong quy định",
                               "đòi bản sao hộ khẩu dù đã bỏ sổ hộ khẩu", "yêu cầu thêm giấy khai sinh bản gốc của cả cha mẹ",
                               "bắt công chứng căn cước dù tôi mang bản chính", "đòi thêm giấy tờ ngoài thành phần hồ sơ niêm yết"],
    "dat_them_thu_tuc": ["bắt tôi xin chữ ký trưởng thôn rồi mới nhận", "phải qua phòng khác xin xác nhận trước khi nộp",
                         "tự đặt thêm bước thẩm định tại nhà", "bắt viết thêm đơn trình bày không có trong quy trình"],
    "nhung_nhieu": ["gợi ý đưa 500 nghìn để làm nhanh", "đòi tiền bồi dưỡng mới ký", "có người thu tiền làm dịch vụ, quen cán bộ",
                    "thu thêm 200 nghìn ngoài lệ phí không có biên lai", "vòi tiền cà phê mới trả kết quả"],
    "bo_sung_nhieu_lan": ["bắt bổ sung hồ sơ 3 lần, lần nào cũng thiếu thứ khác", "tôi đi lại 4 lần vẫn bị trả về bổ sung",
                          "hôm nay lại bảo bổ sung lần thứ ba", "mỗi lần chỉ nói thiếu một giấy nên phải đi mấy chuyến"],
    "tu_choi_khong_van_ban": ["không nhận hồ sơ mà không có giấy nào ghi lý do", "trả hồ sơ về, không có văn bản từ chối",
                              "bảo không giải quyết được rồi đuổi về, không ghi lý do", "từ chối miệng, tôi xin văn bản thì không đưa"],
    "tre_hen": ["giấy hẹn ngày 10 mà nay đã 25 chưa có kết quả", "quá hẹn nửa tháng không ai báo, không có phiếu xin lỗi",
                "hẹn trả sổ đỏ mà trễ cả tháng", "đến ngày hẹn vẫn chưa có, cũng không xin lỗi"],
    "vang_mat": ["8 giờ rưỡi quầy vẫn không có người", "ngồi chơi điện thoại để dân đứng chờ", "bỏ quầy đi đâu cả tiếng",
                 "đi làm trễ, dân xếp hàng chờ từ sớm", "nói chuyện điện thoại riêng rất lâu mặc tôi chờ"],
    "noi_quy_van_hoa": ["hút thuốc ngay trong phòng tiếp dân", "không đeo thẻ, không biết ai là ai", "ăn sáng ngay tại quầy",
                        "mặc quần đùi đi làm"],
    "khen_ngoi": ["rất nhiệt tình, hướng dẫn tận tình, tôi xin cảm ơn", "làm nhanh, vui vẻ, xin khen",
                  "chu đáo với người già, đáng khen", "giải quyết hồ sơ cho tôi rất nhanh, cảm ơn nhiều"],
    "kien_nghi": ["đề nghị lắp thêm quạt và ghế ở khu chờ", "kiến nghị có máy bấm số thứ tự", "mong mở thêm quầy buổi chiều",
                  "đề nghị niêm yết lệ phí rõ ràng hơn"],
}
OPENINGS = ["", "Tôi xin phản ánh: ", "Kính gửi đường dây nóng, ", "Phản ánh: ", "Cho tôi hỏi sao ", "Dạ, "]


def strip_diacritics(text):
    return fold(text).replace("đ", "d")


ABBREVIATE = [("không", "ko"), ("được", "dc"), ("cán bộ", "cb"), ("xã ", "x."), ("phường ", "p."), ("quầy ", "q"),
              ("hồ sơ", "hs"), ("giấy tờ", "gt"), ("người", "ng")]


def abbreviate(text):
    for long, short in ABBREVIATE:
        text = text.replace(long, short)
    return text


def typo(word, rng):
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    if len(letters) < 5:
        return word
    i = rng.choice(letters[1:-1])
    return word[:i] + word[i + 1] + word[i] + word[i + 2:] if i + 1 < len(word) and word[i + 1].isalpha() else word


def vary(text, rng):
    roll = rng.random()
    if roll < 0.35:
        text = strip_diacritics(text)
    elif roll < 0.55:
        text = abbreviate(text)
    elif roll < 0.65:
        text = strip_diacritics(abbreviate(text))
    if rng.random() < 0.3:
        text = text.lower()
    return text


def place_of(unit_name):
    return re.sub(r"^UBND ", "", unit_name)


def build(rng):
    from sqlalchemy import select

    from feedback.demo import data
    from feedback.extensions import db
    from feedback.models import Staff, Unit

    communes = db.session.scalars(select(Unit).where(Unit.kind.in_(("commune", "ward")))).all()
    rows = []

    def staff_of(code):
        return db.session.scalar(select(Staff).where(Staff.badge_code == code))

    def add(text, unit, staff, category):
        rows.append({"text": text, "unit": unit, "staff": staff, "category": category})

    for i in range(230):
        commune = rng.choice(communes[:20] if i % 3 else communes)
        number = commune.code.split("-")[1]
        place = place_of(commune.name)  # "xã Vạn Ninh"
        category = rng.choice(list(PROBLEMS))
        problem = rng.choice(PROBLEMS[category])
        shape = rng.random()
        centre = f"KH-{number}-MC"
        if shape < 0.3:  # a counter number
            counter = rng.choice(["1", "2", "3"])
            person = staff_of(f"{centre}-{int(counter) + 1:02d}")
            who = rng.choice([f"cán bộ quầy {counter}", f"chị ở quầy số {counter}", f"người ngồi quầy {counter}"])
            text = f"{rng.choice(OPENINGS)}{who} trung tâm hành chính công {place} {problem}."
            unit, staff = centre, person.badge_code
        elif shape < 0.55:  # a given name with a kinship word
            person = staff_of(f"{centre}-{rng.choice([2, 3, 4]):02d}")
            given = person.full_name.split()[-1]
            kin = "chị" if person.full_name.split()[1] in data.FEMALE_MIDDLE else "anh"
            text = f"{rng.choice(OPENINGS)}{kin} {given} ở bộ phận một cửa {place} {problem}."
            unit, staff = centre, person.badge_code
        elif shape < 0.65:  # a full name
            person = staff_of(f"{centre}-{rng.choice([2, 3, 4]):02d}")
            text = f"Công chức {person.full_name} tại trung tâm phục vụ hành chính công {place} {problem}."
            unit, staff = centre, person.badge_code
        elif shape < 0.72:  # the chairman
            person = staff_of(f"KH-{number}-01")
            text = f"{rng.choice(OPENINGS)}chủ tịch {place} {problem}."
            unit, staff = f"KH-{number}", person.badge_code
        elif shape < 0.8:  # the commune's culture and social office
            text = f"Phòng văn hóa xã hội {place} {problem}."
            unit, staff = f"KH-{number}-VHXH", None
        else:  # the place and a counter dossier, nobody named
            text = f"{rng.choice(OPENINGS)}nộp hồ sơ tại {place}, cán bộ {problem}."
            unit, staff = centre, None
        if rng.random() < 0.12:  # a typo in the place's name
            words = place.split()
            words[-1] = typo(words[-1], rng)
            text = text.replace(place, " ".join(words))
        add(vary(text, rng), unit, staff, category)
    # Two places: where the citizen lives, then where it happened (the unit is the second).
    for _ in range(15):
        home, there = rng.sample(communes, 2)
        category = rng.choice(list(PROBLEMS))
        text = (f"Tôi ở {place_of(home.name)}, lên một cửa {place_of(there.name)} làm giấy thì cán bộ "
                f"{rng.choice(PROBLEMS[category])}.")
        add(vary(text, rng), f"{there.code}-MC", None, category)
    # Departments by their names, short forms and old names.
    departments = [("Sở Tư pháp", "KH-STP"), ("STP", "KH-STP"), ("sở tài nguyên", "KH-SNNMT"),
                   ("Sở Nông nghiệp và Môi trường", "KH-SNNMT"), ("Sở Xây dựng", "KH-SXD"),
                   ("trung tâm phục vụ hành chính công tỉnh", "KH-TTPVHCC"), ("Sở Nội vụ", "KH-SNV")]
    for _ in range(30):
        name, code = rng.choice(departments)
        category = rng.choice(list(PROBLEMS))
        text = f"{rng.choice(OPENINGS)}cán bộ {name} {rng.choice(PROBLEMS[category])}."
        add(vary(text, rng), code, None, category)
    # No unit named: never routed automatically.
    for _ in range(45):
        category = rng.choice(list(PROBLEMS))
        who = rng.choice(["cán bộ", "chị cán bộ", "anh công chức", "người ở quầy 2", "nhân viên"])
        text = f"{rng.choice(OPENINGS)}{who} {rng.choice(PROBLEMS[category])}."
        add(vary(text, rng), None, None, category)
    rng.shuffle(rows)
    return rows


def main():
    from feedback import create_app

    app = create_app()
    with app.app_context():
        rows = build(random.Random(20261202))
    with open(OUT, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} texts written to {OUT}")


if __name__ == "__main__":
    main()
