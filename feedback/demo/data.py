"""Static material for the demo: departments, categories, names and realistic complaint texts."""

PROVINCE_CODE = "KH"
PROVINCE_NAME = "Tỉnh Khánh Hòa"
# Ward codes from here on belonged to Ninh Thuận before the 2025 merger (area code 0259).
NINH_THUAN_FIRST_WARD = 22738

DEMO_PASSWORD = "demo-khanhhoa-2026"
DEMO_EMAIL_DOMAIN = "demo.khanhhoa.gov.vn"
# Kiosk tokens are derived from this seed so `flask demo-logins` can print their URLs again.
DEMO_SEED = "pakn-khanhhoa-demo-2026"
RANDOM_SEED = 20260701

OFFICE_HOURS = "Thứ Hai - Thứ Sáu: sáng 7h00 - 11h30, chiều 13h30 - 17h00"
OFFICE_HOURS_SATURDAY = OFFICE_HOURS + "; sáng Thứ Bảy 7h30 - 11h30 (tiếp nhận hồ sơ)"

# code suffix, name, kind, address, hotline, email local part, monitoring office?
DEPARTMENTS = [
    ("SNV", "Sở Nội vụ", "department", "Số 4 Phan Chu Trinh, phường Nha Trang", "0258 3822 519", "snv", True),
    ("STP", "Sở Tư pháp", "department", "Số 2 Hàn Thuyên, phường Nha Trang", "0258 3822 372", "stp", False),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "department", "Số 2 Lê Thánh Tôn, phường Nha Trang",
     "0258 3822 162", "snnmt", False),
    ("SXD", "Sở Xây dựng", "department", "Số 1 Trần Phú, phường Nha Trang", "0258 3827 277", "sxd", False),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công tỉnh", "service_centre",
     "Số 1 Trần Phú, phường Nha Trang", "0258 3568 568", "ttpvhcc", False),
    # Luật Thanh tra 2025 abolished the departments' inspectorates: one Thanh tra tỉnh.
    ("TTT", "Thanh tra tỉnh", "department", "Số 4 Lê Lợi, phường Nha Trang", "0258 3822 485", "thanhtra", False),
]

# Department heads and a few officers: position, staff kind, leader?
DEPARTMENT_STAFF = {
    "SNV": [("Giám đốc Sở", "cong_chuc", True), ("Phó Giám đốc Sở", "cong_chuc", True),
            ("Trưởng phòng Cải cách hành chính", "cong_chuc", True),
            ("Chuyên viên Phòng Cải cách hành chính", "cong_chuc", False),
            ("Chuyên viên Phòng Công chức, viên chức", "cong_chuc", False)],
    "STP": [("Giám đốc Sở", "cong_chuc", True), ("Phó Giám đốc Sở", "cong_chuc", True),
            ("Chuyên viên Phòng Hành chính tư pháp", "cong_chuc", False),
            ("Chuyên viên Phòng Bổ trợ tư pháp", "cong_chuc", False)],
    "SNNMT": [("Giám đốc Sở", "cong_chuc", True), ("Phó Giám đốc Sở", "cong_chuc", True),
              ("Chuyên viên Phòng Quản lý đất đai", "cong_chuc", False),
              ("Viên chức Văn phòng Đăng ký đất đai", "vien_chuc", False)],
    "SXD": [("Giám đốc Sở", "cong_chuc", True), ("Phó Giám đốc Sở", "cong_chuc", True),
            ("Chuyên viên Phòng Quản lý xây dựng", "cong_chuc", False)],
    "TTPVHCC": [("Giám đốc Trung tâm", "vien_chuc", True), ("Phó Giám đốc Trung tâm", "vien_chuc", True),
                ("Viên chức tiếp nhận hồ sơ lĩnh vực đất đai", "vien_chuc", False),
                ("Viên chức tiếp nhận hồ sơ lĩnh vực tư pháp", "vien_chuc", False),
                ("Công chức tiếp nhận hồ sơ lĩnh vực xây dựng", "cong_chuc", False),
                ("Viên chức trả kết quả", "vien_chuc", False),
                ("Nhân viên hướng dẫn thủ tục", "other", False)],
    "TTT": [("Chánh Thanh tra tỉnh", "cong_chuc", True), ("Phó Chánh Thanh tra tỉnh", "cong_chuc", True),
            ("Thanh tra viên", "cong_chuc", False)],
}

# Communes with full demo user accounts (unit head, handler, monitor) and most of the demo cases:
# phường Nha Trang, Cam Ranh, Phan Rang and xã Vạn Ninh, Ninh Sơn.
FOCUS_COMMUNES = ("22366", "22420", "22759", "22489", "22810")
# Communes (plus the provincial centre) whose service centres have rating tablets.
KIOSK_COMMUNES = ("22366", "22333", "22390", "22420", "22489", "22528", "22759", "22651", "22453")

# The commune's offices since 1 July 2025 (NĐ 150/2025/NĐ-CP): code suffix, name for a xã, name for a
# phường (None: the same), head's and officer's positions. Phòng Văn hóa - Xã hội is the commune's
# monitoring office (theo dõi, kiểm tra).
COMMUNE_OFFICES = [
    ("VP", "Văn phòng HĐND và UBND", None, "Chánh Văn phòng HĐND và UBND", "Chuyên viên Văn phòng HĐND và UBND"),
    ("KT", "Phòng Kinh tế", "Phòng Kinh tế, Hạ tầng và Đô thị", "Trưởng phòng", "Chuyên viên"),
    ("VHXH", "Phòng Văn hóa - Xã hội", None, "Trưởng phòng Văn hóa - Xã hội", "Chuyên viên Phòng Văn hóa - Xã hội"),
]

# The commune's Trung tâm Phục vụ hành chính công (NĐ 118/2025/NĐ-CP): its Giám đốc is a Phó Chủ tịch
# UBND; the officials at its counters are seconded from the commune's offices. {kt} is the economic
# office's name for a xã or a phường.
SERVICE_CENTRE_STAFF = [
    ("Phó Chủ tịch UBND, Giám đốc Trung tâm Phục vụ hành chính công", "can_bo", True),
    ("Công chức Văn phòng HĐND và UBND (hộ tịch, chứng thực)", "cong_chuc", False),
    ("Công chức {kt} (đất đai, xây dựng)", "cong_chuc", False),
    ("Công chức Phòng Văn hóa - Xã hội (chính sách xã hội)", "cong_chuc", False),
]

STREETS_NHA_TRANG = ["Trần Phú", "Lê Thánh Tôn", "Thống Nhất", "Hùng Vương", "Nguyễn Trãi", "Quang Trung",
                     "Lê Lợi", "Yersin", "2 Tháng 4", "Lý Tự Trọng", "Nguyễn Thị Minh Khai", "Hai Bà Trưng"]
STREETS_PHAN_RANG = ["16 Tháng 4", "Thống Nhất", "Ngô Gia Tự", "Lê Duẩn", "Trần Phú", "Yên Ninh",
                     "Nguyễn Văn Cừ", "21 Tháng 8"]
VILLAGES = ["Thôn 1", "Thôn 2", "Thôn Đông", "Thôn Tây", "Thôn Phú Hội", "Thôn Tân Mỹ", "Thôn Hòa Bình",
            "Thôn Xuân Sơn", "Thôn Phước Lộc"]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
            "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lâm", "Mai", "Cao", "Tô", "Hà"]
# Cham family names, common in the former Ninh Thuận.
CHAM_SURNAMES = ["Đàng", "Thông", "Quảng", "Báo", "Thiên", "Lưu"]
MALE_MIDDLE = ["Văn", "Minh", "Quốc", "Đức", "Hữu", "Thành", "Công", "Ngọc", "Xuân", "Anh", "Tấn", "Duy"]
FEMALE_MIDDLE = ["Thị", "Thu", "Ngọc", "Thanh", "Kim", "Mỹ", "Hồng", "Bích", "Thùy", "Diệu"]
MALE_GIVEN = ["Hùng", "Dũng", "Tuấn", "Hải", "Phong", "Long", "Nam", "Sơn", "Thắng", "Quang", "Khoa", "Bình",
              "Trung", "Tài", "Lợi", "Phúc", "Toàn", "Vinh", "Hiếu", "Nhân", "Khánh", "Đạt", "Cường", "Tín"]
FEMALE_GIVEN = ["Lan", "Hoa", "Hương", "Trang", "Linh", "Ngọc", "Thảo", "Nhung", "Yến", "Phương", "Hạnh",
                "Dung", "Mai", "Hằng", "Vy", "Thủy", "Loan", "Nga", "Trâm", "Quyên"]

# code, Vietnamese name, English name, kind, misconduct?, accept days, answer days, answer template
CATEGORIES = [
    ("thai_do", "Thái độ hách dịch, thờ ơ, thiếu tôn trọng người dân",
     "Rude or indifferent attitude", "staff_complaint", True, 1, 10,
     "Kính gửi Ông/Bà,\n\n{don_vi} đã nhận được phản ánh về thái độ của công chức khi tiếp nhận hồ sơ. "
     "Qua xác minh, {ket_luan}.\n\n{bien_phap}\n\n{don_vi} xin cảm ơn Ông/Bà đã phản ánh và mong tiếp tục "
     "nhận được ý kiến đóng góp của người dân."),
    ("giay_to_ngoai_quy_dinh", "Yêu cầu giấy tờ ngoài thành phần hồ sơ theo quy định",
     "Demanding papers not in the legal dossier", "staff_complaint", True, 1, 10,
     "Kính gửi Ông/Bà,\n\nThành phần hồ sơ của thủ tục được niêm yết công khai tại Trung tâm Phục vụ hành chính công và trên "
     "Cổng dịch vụ công. Qua kiểm tra, {ket_luan}.\n\n{bien_phap}\n\nTrân trọng."),
    ("dat_them_thu_tuc", "Tự đặt thêm thủ tục, bước thực hiện ngoài quy định",
     "Inventing extra steps", "staff_complaint", True, 1, 10,
     "Kính gửi Ông/Bà,\n\nVề việc Ông/Bà phản ánh công chức yêu cầu thực hiện thêm bước ngoài quy trình, "
     "{ket_luan}.\n\n{bien_phap}\n\nTrân trọng."),
    ("nhung_nhieu", "Nhũng nhiễu, gây phiền hà, tiêu cực (đòi tiền, quà)",
     "Harassment or asking for money", "staff_complaint", True, 1, 7,
     "Kính gửi Ông/Bà,\n\n{don_vi} đã tiếp nhận và tổ chức xác minh nội dung phản ánh. {ket_luan}.\n\n"
     "{bien_phap}\n\nMọi hành vi nhũng nhiễu, tiêu cực đều bị xử lý nghiêm theo quy định."),
    ("bo_sung_nhieu_lan", "Yêu cầu bổ sung, hoàn thiện hồ sơ từ hai lần trở lên",
     "Asking for supplements two or more times", "staff_complaint", True, 1, 10,
     "Kính gửi Ông/Bà,\n\nTheo quy định, việc yêu cầu bổ sung hồ sơ chỉ được thực hiện một lần bằng phiếu "
     "yêu cầu bổ sung, hoàn thiện hồ sơ. Qua kiểm tra, {ket_luan}.\n\n{bien_phap}\n\nTrân trọng."),
    ("tu_choi_khong_van_ban", "Từ chối giải quyết hồ sơ không có văn bản nêu rõ lý do",
     "Refusing without a written refusal", "staff_complaint", True, 1, 10,
     "Kính gửi Ông/Bà,\n\nTrường hợp hồ sơ không đủ điều kiện giải quyết, cơ quan phải có văn bản trả lời "
     "nêu rõ lý do. Qua xác minh, {ket_luan}.\n\n{bien_phap}\n\nTrân trọng."),
    ("tre_hen", "Trả kết quả trễ hẹn, không có phiếu xin lỗi và hẹn lại",
     "Late without an apology", "staff_complaint", True, 1, 10,
     "Kính gửi Ông/Bà,\n\n{don_vi} thành thật xin lỗi về việc trả kết quả chậm so với giấy tiếp nhận và hẹn "
     "trả kết quả. {ket_luan}.\n\n{bien_phap}\n\nTrân trọng."),
    ("vang_mat", "Vắng mặt, đi muộn, dùng điện thoại riêng khi người dân chờ",
     "Absence, lateness, private phone use while citizens wait", "staff_complaint", True, 1, 7,
     "Kính gửi Ông/Bà,\n\nQua trích xuất camera và sổ theo dõi tại quầy, {ket_luan}.\n\n{bien_phap}\n\n"
     "Trân trọng."),
    ("noi_quy_van_hoa", "Vi phạm nội quy, quy tắc văn hóa công sở",
     "Breach of office rules and office culture", "staff_complaint", True, 1, 10,
     "Kính gửi Ông/Bà,\n\nVề nội dung phản ánh vi phạm quy tắc văn hóa công sở, {ket_luan}.\n\n{bien_phap}\n\n"
     "Trân trọng."),
    ("khen_ngoi", "Khen ngợi cán bộ, công chức", "Compliment", "compliment", False, 1, 5,
     "Kính gửi Ông/Bà,\n\n{don_vi} trân trọng cảm ơn Ông/Bà đã ghi nhận tinh thần phục vụ của cán bộ, công chức. "
     "Lời khen đã được chuyển đến cá nhân và sẽ được xem xét khi bình xét thi đua cuối năm.\n\nTrân trọng."),
    ("kien_nghi", "Kiến nghị, đề xuất cải tiến thủ tục hành chính", "Suggestion to improve procedures",
     "suggestion", False, 1, 15,
     "Kính gửi Ông/Bà,\n\n{don_vi} cảm ơn Ông/Bà đã đóng góp ý kiến. {ket_luan}\n\nTrân trọng."),
    ("khac", "Phản ánh khác", "Other feedback", "other", False, 1, 10,
     "Kính gửi Ông/Bà,\n\n{don_vi} đã tiếp nhận ý kiến của Ông/Bà. {ket_luan}\n\nTrân trọng."),
]

# Complaint texts by category: (description, redacted public summary). {counter} is the counter number.
CASE_TEXTS = {
    "thai_do": [
        ("Sáng nay tôi đến nộp hồ sơ đăng ký khai sinh cho con tại quầy số {counter}. Chị công chức không "
         "chào hỏi, nói chuyện cộc lốc, khi tôi hỏi lại thì quát \"đọc bảng niêm yết đi, hỏi hoài\". "
         "Người già đứng sau tôi cũng bị nói như vậy.",
         "Công dân phản ánh công chức tại quầy số {counter} có thái độ cộc lốc, quát người dân khi được hỏi "
         "lại về thủ tục đăng ký khai sinh."),
        ("Tôi làm thủ tục chứng thực bản sao, hỏi cán bộ quầy {counter} vì sao phải chờ lâu thì bị trả lời "
         "\"không chờ được thì về\". Tôi thấy thái độ như vậy là không đúng mực với người dân.",
         "Công dân phản ánh cán bộ quầy số {counter} trả lời thiếu tôn trọng khi được hỏi về thời gian chờ "
         "chứng thực bản sao."),
        ("Cán bộ tiếp nhận hồ sơ đất đai vừa nghe điện thoại vừa làm việc, ném hồ sơ trả lại cho tôi và "
         "không hướng dẫn phải sửa chỗ nào.",
         "Công dân phản ánh cán bộ tiếp nhận hồ sơ đất đai trả hồ sơ không hướng dẫn, thái độ thiếu tôn trọng."),
        ("Mẹ tôi 78 tuổi đến làm lại căn cước, ngồi chờ gần hai tiếng. Khi mẹ tôi hỏi thì anh cán bộ nói "
         "lớn tiếng, không ưu tiên người cao tuổi như bảng nội quy ghi.",
         "Công dân phản ánh người cao tuổi không được ưu tiên và bị cán bộ nói lớn tiếng khi hỏi."),
    ],
    "giay_to_ngoai_quy_dinh": [
        ("Khi đăng ký thường trú, công chức yêu cầu tôi nộp thêm giấy xác nhận của tổ dân phố và bản sao "
         "sổ hộ khẩu cũ, trong khi thủ tục trên Cổng dịch vụ công không có các giấy tờ này.",
         "Công dân phản ánh bị yêu cầu nộp thêm giấy xác nhận của tổ dân phố và bản sao sổ hộ khẩu cũ khi "
         "đăng ký thường trú."),
        ("Làm thủ tục đăng ký kết hôn, cán bộ bắt phải có giấy khám sức khỏe và ảnh cưới mới nhận hồ sơ.",
         "Công dân phản ánh bị yêu cầu giấy khám sức khỏe và ảnh cưới khi đăng ký kết hôn."),
        ("Xin cấp phép sửa chữa nhà, quầy {counter} yêu cầu bản vẽ phải có xác nhận của công ty thiết kế "
         "có chứng chỉ hạng II, quy định không có yêu cầu này.",
         "Công dân phản ánh quầy số {counter} yêu cầu bản vẽ có xác nhận của đơn vị thiết kế hạng II khi xin "
         "phép sửa chữa nhà ở."),
    ],
    "dat_them_thu_tuc": [
        ("Hồ sơ tách thửa của gia đình tôi đã đủ, nhưng cán bộ nói phải có ý kiến của trưởng thôn và họp "
         "dân trước rồi mới nhận.",
         "Công dân phản ánh bị yêu cầu xin ý kiến trưởng thôn và họp dân trước khi nộp hồ sơ tách thửa."),
        ("Tôi nộp hồ sơ trực tuyến rồi mà vẫn bị yêu cầu lên trực tiếp ký vào sổ và nộp bản giấy.",
         "Công dân phản ánh đã nộp hồ sơ trực tuyến nhưng vẫn bị yêu cầu nộp bản giấy và ký sổ trực tiếp."),
    ],
    "nhung_nhieu": [
        ("Cán bộ địa chính gợi ý tôi \"bồi dưỡng\" 2 triệu đồng thì hồ sơ cấp giấy chứng nhận sẽ có trong "
         "tuần, không thì phải chờ vài tháng.",
         "Công dân phản ánh cán bộ địa chính gợi ý \"bồi dưỡng\" để giải quyết nhanh hồ sơ cấp giấy chứng nhận."),
        ("Có người ngoài cổng Trung tâm Phục vụ hành chính công nhận làm dịch vụ hồ sơ, nói quen cán bộ bên trong, thu 500 nghìn "
         "một bộ hồ sơ. Đề nghị kiểm tra.",
         "Công dân phản ánh có người làm dịch vụ hồ sơ trước cổng Trung tâm Phục vụ hành chính công, tự nhận quen cán bộ."),
    ],
    "bo_sung_nhieu_lan": [
        ("Hồ sơ chuyển mục đích sử dụng đất của tôi bị trả về bổ sung ba lần, mỗi lần một yêu cầu khác "
         "nhau, không có phiếu hướng dẫn bằng văn bản.",
         "Công dân phản ánh hồ sơ chuyển mục đích sử dụng đất bị yêu cầu bổ sung ba lần, không có phiếu "
         "hướng dẫn bằng văn bản."),
        ("Lần đầu cán bộ bảo thiếu bản sao căn cước, lần hai bảo thiếu giấy ủy quyền, lần ba lại bảo sai "
         "mẫu tờ khai. Sao không nói một lần cho đủ?",
         "Công dân phản ánh hồ sơ bị yêu cầu bổ sung nhiều lần, mỗi lần một nội dung khác nhau."),
    ],
    "tu_choi_khong_van_ban": [
        ("Hồ sơ xin giấy phép kinh doanh hộ cá thể bị trả lại bằng miệng, tôi xin văn bản nêu lý do thì "
         "cán bộ nói không cần.",
         "Công dân phản ánh hồ sơ đăng ký hộ kinh doanh bị trả lại bằng miệng, không có văn bản nêu lý do."),
    ],
    "tre_hen": [
        ("Giấy hẹn trả kết quả ngày 15 nhưng đến nay đã quá 10 ngày, tôi đi lại 3 lần vẫn chưa có, cũng "
         "không nhận được phiếu xin lỗi và hẹn lại.",
         "Công dân phản ánh hồ sơ quá hạn hơn 10 ngày, không nhận được phiếu xin lỗi và hẹn lại."),
        ("Hồ sơ cấp đổi giấy chứng nhận quyền sử dụng đất trễ hẹn hai lần mà không ai báo.",
         "Công dân phản ánh hồ sơ cấp đổi giấy chứng nhận trễ hẹn hai lần, không được thông báo."),
    ],
    "vang_mat": [
        ("8 giờ 15 sáng mà quầy số {counter} vẫn chưa có người, hơn 10 người dân đứng chờ.",
         "Công dân phản ánh quầy số {counter} không có người làm việc lúc 8 giờ 15, nhiều người dân phải chờ."),
        ("Cán bộ quầy {counter} dùng điện thoại xem video trong lúc người dân đợi, gọi mấy lần mới ngẩng lên.",
         "Công dân phản ánh cán bộ quầy số {counter} sử dụng điện thoại riêng trong giờ tiếp dân."),
    ],
    "noi_quy_van_hoa": [
        ("Cán bộ không đeo thẻ công chức, hút thuốc ngay trong khu vực chờ của người dân.",
         "Công dân phản ánh cán bộ không đeo thẻ và hút thuốc trong khu vực chờ."),
        ("Nhân viên bảo vệ và một cán bộ ăn sáng ngay tại bàn tiếp dân trong giờ làm việc.",
         "Công dân phản ánh cán bộ ăn uống tại bàn tiếp dân trong giờ làm việc."),
    ],
    "khen_ngoi": [
        ("Tôi xin khen chị cán bộ quầy số {counter} đã hướng dẫn rất tận tình, giúp tôi nộp hồ sơ trực "
         "tuyến ngay tại chỗ, không phải về làm lại.",
         "Công dân khen công chức quầy số {counter} hướng dẫn tận tình, hỗ trợ nộp hồ sơ trực tuyến tại chỗ."),
        ("Cảm ơn anh cán bộ tư pháp đã ở lại sau giờ làm để chứng thực kịp giấy tờ cho tôi đi nước ngoài.",
         "Công dân cảm ơn công chức tư pháp ở lại ngoài giờ để giải quyết kịp hồ sơ chứng thực."),
        ("Trung tâm Phục vụ hành chính công sạch sẽ, có nước uống, cán bộ vui vẻ. Tôi rất hài lòng.",
         "Công dân bày tỏ sự hài lòng về cơ sở vật chất và thái độ phục vụ của Trung tâm Phục vụ hành chính công."),
    ],
    "kien_nghi": [
        ("Đề nghị bố trí thêm ghế chờ và quạt ở khu vực Trung tâm Phục vụ hành chính công, buổi sáng rất đông và nóng.",
         "Công dân kiến nghị bổ sung ghế chờ và quạt tại khu vực chờ của Trung tâm Phục vụ hành chính công."),
        ("Kiến nghị mở cửa tiếp nhận hồ sơ sáng thứ Bảy để người đi làm có thể nộp hồ sơ.",
         "Công dân kiến nghị tiếp nhận hồ sơ vào sáng thứ Bảy."),
        ("Đề nghị có máy lấy số thứ tự, hiện nay người dân chen nhau, không biết ai đến trước.",
         "Công dân kiến nghị lắp đặt máy lấy số thứ tự tại Trung tâm Phục vụ hành chính công."),
    ],
    "khac": [
        ("Số điện thoại đường dây nóng niêm yết ở cổng UBND gọi không ai nghe máy.",
         "Công dân phản ánh số đường dây nóng niêm yết tại trụ sở không có người nghe máy."),
        ("Đèn đường trên đoạn gần chợ bị hỏng hơn một tháng, đề nghị sửa.",
         "Công dân phản ánh đèn chiếu sáng gần chợ hư hỏng hơn một tháng."),
    ],
}

CONCLUSION_TEXT = {
    "substantiated": "nội dung phản ánh là đúng",
    "partly": "nội dung phản ánh đúng một phần",
    "unsubstantiated": "nội dung phản ánh là không đúng",
    "unverifiable": "chưa đủ cơ sở để kết luận do không có chứng cứ",
}
MEASURE_TEXT = {
    "substantiated": "Đơn vị đã tổ chức kiểm điểm, đề xuất hình thức kỷ luật đối với công chức vi phạm và "
                     "chấn chỉnh toàn bộ Trung tâm Phục vụ hành chính công.",
    "partly": "Đơn vị đã nhắc nhở, yêu cầu công chức rút kinh nghiệm và xin lỗi công dân.",
    "unsubstantiated": "Đơn vị đã làm việc với công chức liên quan và giải thích quy định cho công dân.",
    "unverifiable": "Đơn vị tiếp tục theo dõi, lắp đặt thêm camera tại khu vực quầy.",
}
FINDINGS = {
    "substantiated": "Trích xuất camera và làm việc với công chức, công chức thừa nhận nội dung phản ánh.",
    "partly": "Công chức có trả lời chưa đúng mực nhưng không quát nạt như phản ánh; đã có buổi làm việc.",
    "unsubstantiated": "Camera và sổ theo dõi cho thấy công chức làm việc đúng quy trình, giờ giấc.",
    "unverifiable": "Camera khu vực quầy không lưu hình ảnh thời điểm phản ánh; không có người làm chứng.",
}
SUGGESTION_REPLY = "Ý kiến đã được tiếp thu; đơn vị sẽ bố trí thực hiện trong quý tới."
OTHER_REPLY = "Nội dung đã được chuyển đến bộ phận phụ trách để kiểm tra, khắc phục."
DECLINE_NOTES = {
    "out_of_scope": "Nội dung thuộc thẩm quyền của Tòa án nhân dân, đã hướng dẫn công dân gửi đúng nơi.",
    "insufficient": "Nội dung không rõ đơn vị, thời gian, không có thông tin liên hệ để làm rõ.",
    "duplicate": "Trùng nội dung với phản ánh đã tiếp nhận trước đó.",
}

# Comments citizens leave with kiosk ratings.
RATING_COMMENTS = {
    5: ["Cán bộ nhiệt tình, hướng dẫn dễ hiểu", "Giải quyết nhanh, cảm ơn", "Rất chu đáo"],
    4: ["Tốt", "Hướng dẫn rõ ràng", "Chờ hơi lâu nhưng cán bộ vui vẻ"],
    3: ["Chờ lâu", "Bình thường"],
    2: ["Phải chờ gần 1 tiếng", "Hướng dẫn không rõ, phải hỏi nhiều lần"],
    1: ["Thái độ không tốt", "Yêu cầu giấy tờ không có trong quy định"],
}
