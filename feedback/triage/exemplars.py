"""What each category sounds like when citizens write it: the category model's starting material.

Written apart from the evaluation set in tests/triage/ (never copied from it); the model also learns from
the demo's case texts and from every correction operators make.
"""
EXEMPLARS = {
    "thai_do": [
        "cán bộ quát tháo người dân", "thái độ cộc cằn, không chào hỏi", "nói trống không với người già",
        "cán bộ hách dịch, coi thường dân", "trả lời nhát gừng, mặt khó chịu", "gắt gỏng khi tôi hỏi lại",
        "ăn nói xấc xược với bà con", "thờ ơ, không thèm nghe người dân trình bày", "lớn tiếng mắng người dân",
        "thiếu tôn trọng công dân đến làm việc", "nhân viên cau có, đuổi khéo người dân về",
        "không hướng dẫn còn chê dân không biết chữ", "cán bộ hỗn láo", "nói năng thô lỗ",
    ],
    "giay_to_ngoai_quy_dinh": [
        "bắt nộp thêm giấy tờ không có trong quy định", "đòi bản sao công chứng dù đã có bản chính",
        "yêu cầu xác nhận của tổ dân phố không cần thiết", "phải nộp giấy khám sức khỏe vô lý",
        "đòi thêm sổ hộ khẩu đã bãi bỏ", "yêu cầu giấy tờ ngoài danh mục niêm yết",
        "bắt photo căn cước nhiều bản", "đòi giấy xác nhận tạm trú không có trong thành phần hồ sơ",
        "đòi hợp đồng thuê nhà công chứng", "giấy tờ không thuộc thành phần hồ sơ",
    ],
    "dat_them_thu_tuc": [
        "tự đặt ra thêm bước phải xin chữ ký trưởng thôn", "bắt đi lấy xác nhận nhiều nơi",
        "phải qua nhiều phòng ký trước khi nộp", "đặt thêm khâu thẩm tra không có trong quy trình",
        "bắt phỏng vấn trước khi nhận hồ sơ", "thêm bước đóng dấu giáp lai vô lý",
        "phải làm đơn xin xác nhận riêng", "quy trình rườm rà tự đặt ra", "bắt đặt lịch hẹn mới được nộp",
    ],
    "nhung_nhieu": [
        "đòi tiền bồi dưỡng mới giải quyết nhanh", "gợi ý đưa phong bì", "thu thêm tiền ngoài lệ phí",
        "cò hồ sơ quen cán bộ thu tiền", "vòi vĩnh quà cáp", "nhận tiền làm nhanh hồ sơ",
        "đưa 500 nghìn thì có kết quả ngay", "đòi tiền cà phê", "bắt mua biểu mẫu giá cao", "làm khó để đòi chi phí",
        "tiêu cực, nhận hối lộ", "gây phiền hà để được cho tiền",
    ],
    "bo_sung_nhieu_lan": [
        "bắt bổ sung hồ sơ nhiều lần", "lần nào đến cũng bảo thiếu một thứ khác",
        "bổ sung lần thứ ba vẫn chưa đủ", "mỗi lần chỉ nói một giấy, đi lại mấy lần",
        "yêu cầu hoàn thiện hồ sơ lần nữa", "đi lại 4 lần vì thiếu giấy", "trả hồ sơ về bổ sung liên tục",
        "không ghi phiếu bổ sung một lần cho đủ", "hẹn bổ sung hết lần này đến lần khác",
    ],
    "tu_choi_khong_van_ban": [
        "từ chối nhận hồ sơ mà không nói lý do", "trả lại hồ sơ không có văn bản",
        "không giải quyết cũng không trả lời bằng văn bản", "bảo không làm được rồi đuổi về",
        "không tiếp nhận nhưng không ghi lý do", "từ chối miệng, không có phiếu từ chối",
        "nói hồ sơ không hợp lệ mà không giải thích", "không nhận đơn, không biên nhận",
    ],
    "tre_hen": [
        "quá hẹn trả kết quả mà không báo", "trễ hẹn cả tháng chưa có kết quả", "giấy hẹn đã qua mà vẫn chờ",
        "chậm trả kết quả không xin lỗi", "hẹn hết lần này lần khác chưa trả", "quá hạn giải quyết không thông báo",
        "đến ngày hẹn chưa có sổ", "trả kết quả muộn không có phiếu xin lỗi", "lâu quá chưa giải quyết xong",
    ],
    "vang_mat": [
        "cán bộ vắng mặt tại quầy", "không có ai ngồi quầy", "đi làm muộn dân phải chờ",
        "ngồi bấm điện thoại mặc dân chờ", "bỏ quầy đi uống cà phê", "nghỉ sớm trước giờ",
        "lướt facebook trong giờ làm việc", "nói chuyện điện thoại riêng cả buổi", "đến 9 giờ chưa mở cửa",
        "quầy trống không người tiếp",
    ],
    "noi_quy_van_hoa": [
        "hút thuốc trong phòng làm việc", "không đeo thẻ công chức", "ăn sáng tại quầy tiếp dân",
        "mặc đồ không lịch sự đi làm", "uống rượu bia trong giờ", "ồn ào tụ tập nói chuyện riêng",
        "không mặc đồng phục", "vi phạm văn hóa công sở", "để người nhà ngồi trong quầy",
    ],
    "khen_ngoi": [
        "cảm ơn cán bộ nhiệt tình", "rất hài lòng với cách phục vụ", "khen chị cán bộ tận tâm",
        "hướng dẫn chu đáo dễ hiểu", "giải quyết nhanh gọn, cảm ơn", "xin gửi lời khen", "tuyên dương cán bộ",
        "phục vụ chu đáo, vui vẻ", "làm việc rất tốt, cảm ơn nhiều", "cán bộ dễ thương, nhiệt tình giúp đỡ",
    ],
    "kien_nghi": [
        "đề nghị bố trí thêm ghế chờ", "kiến nghị lắp máy lấy số", "đề xuất mở cửa thứ bảy",
        "nên có chỗ để xe cho dân", "đề nghị bổ sung quạt", "kiến nghị đơn giản hóa thủ tục",
        "mong có hướng dẫn trực tuyến", "đề nghị thêm quầy", "góp ý nên niêm yết rõ lệ phí", "xin lắp wifi",
    ],
    "khac": [
        "hỏi thủ tục cấp lại giấy", "xin thông tin giờ làm việc", "hỏi số điện thoại phòng", "muốn hỏi về chính sách",
        "thắc mắc về lệ phí", "cho hỏi địa chỉ trụ sở", "nhờ tư vấn", "hỏi cách làm hồ sơ",
    ],
}
