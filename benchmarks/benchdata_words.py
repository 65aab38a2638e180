"""The words and shares of real registers that the generated province is made of
(benchmarks/benchdata.py): subjects, types, urgency, bodies outside the province, the text of an
imaginary main file, a leader's direction and a handler's result.

The phrase lists are shared with benchmarks/search.py.
"""

import itertools

# ---------------------------------------------------------------- words of real subjects

# "V/v triển khai kế hoạch chuyển đổi số trên địa bàn tỉnh"
ACTIONS = [
    "triển khai",
    "tăng cường",
    "hướng dẫn thực hiện",
    "tổ chức",
    "báo cáo kết quả",
    "đề nghị phối hợp",
    "góp ý dự thảo",
    "kiểm tra",
    "tổng kết",
    "phê duyệt",
    "ban hành",
    "đôn đốc",
    "rà soát",
    "điều chỉnh",
    "bổ sung",
    "giao chỉ tiêu",
    "cử cán bộ tham dự",
    "sơ kết",
    "thẩm định",
    "phân bổ kinh phí",
    "chấn chỉnh",
    "đẩy mạnh",
    "cung cấp thông tin",
    "xin ý kiến",
    "thành lập tổ công tác",
    "kiện toàn",
]
OBJECTS = [
    "kế hoạch chuyển đổi số",
    "công tác phòng chống thiên tai",
    "quy chế quản lý văn bản điện tử",
    "chương trình mục tiêu quốc gia xây dựng nông thôn mới",
    "công tác cải cách hành chính",
    "dự toán ngân sách nhà nước",
    "công tác thi đua khen thưởng",
    "an toàn thông tin mạng",
    "đề án phát triển du lịch",
    "công tác tuyển dụng viên chức",
    "hội nghị giao ban",
    "phòng chống dịch bệnh",
    "đầu tư công trung hạn",
    "bồi thường giải phóng mặt bằng",
    "công tác dân vận chính quyền",
    "vệ sinh an toàn thực phẩm",
    "cấp giấy chứng nhận quyền sử dụng đất",
    "chính sách hỗ trợ hộ nghèo",
    "quản lý trật tự xây dựng",
    "nước sạch nông thôn",
    "phòng chống hạn mặn",
    "bảo hiểm y tế học sinh",
    "kỳ thi tốt nghiệp trung học phổ thông",
    "công tác văn thư, lưu trữ",
    "dịch vụ công trực tuyến",
    "chương trình mỗi xã một sản phẩm",
    "bảo vệ môi trường làng nghề",
    "an toàn giao thông dịp Tết",
    "chi trả trợ cấp người có công",
    "chỉnh trang đô thị",
    "phòng cháy, chữa cháy",
    "quản lý tài sản công",
    "thu ngân sách nhà nước",
    "kê khai tài sản, thu nhập",
    "tiếp công dân định kỳ",
    "cơ sở dữ liệu quốc gia về dân cư",
    "giống cây trồng vật nuôi",
    "xây dựng trường chuẩn quốc gia",
]
PLACES = [
    "trên địa bàn tỉnh",
    "tại các huyện, thành phố",
    "của Sở",
    "trong toàn ngành",
    "tại xã Phú Thuận",
    "của Ủy ban nhân dân tỉnh",
    "giai đoạn 2021-2025",
    "và các năm tiếp theo",
    "trên địa bàn huyện",
    "tại các cơ quan, đơn vị",
]
PERIODS = ["quý I", "quý II", "quý III", "quý IV", "6 tháng đầu năm", "9 tháng", "năm"]
# Terms for search at known frequencies: a medium one in about 1% of documents and a rare one in
# one document out of 100,000 (and at least one of any load).
MEDIUM_PHRASE = "nạo vét kênh thủy lợi nội đồng"
MEDIUM_SHARE = 0.01
RARE_PHRASE = "hỗ trợ trồng sầu riêng"
RARE_EVERY = 100_000

# Share of each of the 29 types (NĐ 30/2020 Appendix III) in a register: mostly công văn.
TYPE_WEIGHTS = {
    "Công văn": 45.0,
    "Quyết định": 10.0,
    "Báo cáo": 7.0,
    "Giấy mời": 6.0,
    "Kế hoạch": 5.0,
    "Thông báo": 5.0,
    "Tờ trình": 4.0,
    "Hướng dẫn": 2.0,
    "Biên bản": 1.5,
    "Giấy giới thiệu": 1.0,
    "Chương trình": 1.0,
    "Phiếu chuyển": 1.0,
    "Giấy nghỉ phép": 0.8,
    "Nghị quyết": 0.7,
    "Công điện": 0.5,
    "Chỉ thị": 0.5,
    "Phương án": 0.5,
    "Hợp đồng": 0.5,
    "Phiếu gửi": 0.5,
    "Đề án": 0.4,
    "Quy chế": 0.4,
    "Dự án": 0.3,
    "Quy định": 0.3,
    "Giấy ủy quyền": 0.3,
    "Phiếu báo": 0.3,
    "Thư công": 0.2,
    "Thông cáo": 0.1,
    "Bản ghi nhớ": 0.1,
    "Bản thỏa thuận": 0.1,
}
OTHER_TYPE_WEIGHT = 0.2
INCOMING_SHARE = 0.62
URGENCY_WEIGHTS = [85, 8, 4, 2, 1]  # Urgency 0..4
LEGAL_NORMATIVE_SHARE = 0.04  # of the decisions of a people's committee

# Bodies outside the province's tree: name, symbol, agency code, positions of their signers.
EXTERNAL = [
    ("Văn phòng Chính phủ", "VPCP", "000.00.00.G01", ("Bộ trưởng, Chủ nhiệm", "Phó Chủ nhiệm")),
    ("Bộ Nội vụ", "BNV", "000.00.00.G12", ("Bộ trưởng", "Thứ trưởng", "Vụ trưởng")),
    ("Bộ Tài chính", "BTC", "000.00.00.G09", ("Thứ trưởng", "Cục trưởng")),
    ("Bộ Kế hoạch và Đầu tư", "BKHĐT", "000.00.00.G07", ("Thứ trưởng", "Vụ trưởng")),
    ("Bộ Thông tin và Truyền thông", "BTTTT", "000.00.00.G22", ("Thứ trưởng", "Cục trưởng")),
    ("Bộ Nông nghiệp và Phát triển nông thôn", "BNN", "000.00.00.G11", ("Thứ trưởng",)),
    ("Bộ Y tế", "BYT", "000.00.00.G20", ("Thứ trưởng", "Cục trưởng")),
    ("Bộ Giáo dục và Đào tạo", "BGDĐT", "000.00.00.G05", ("Thứ trưởng", "Vụ trưởng")),
    ("Bộ Tài nguyên và Môi trường", "BTNMT", "000.00.00.G17", ("Thứ trưởng",)),
    ("Bộ Xây dựng", "BXD", "000.00.00.G24", ("Thứ trưởng", "Cục trưởng")),
    ("Hội đồng nhân dân tỉnh Bến Tre", "HĐND", "000.00.00.K07", ("Chủ tịch", "Phó Chủ tịch")),
    ("Công an tỉnh Bến Tre", "CAT", "000.00.40.H07", ("Giám đốc", "Phó Giám đốc")),
    ("Bảo hiểm xã hội tỉnh Bến Tre", "BHXH", "000.00.41.H07", ("Giám đốc", "Phó Giám đốc")),
    ("Kho bạc Nhà nước Bến Tre", "KBNN", "000.00.42.H07", ("Giám đốc",)),
    ("Ủy ban nhân dân tỉnh Tiền Giang", "UBND", "000.00.00.H58", ("Chủ tịch", "Phó Chủ tịch")),
    ("Ủy ban nhân dân tỉnh Vĩnh Long", "UBND", "000.00.00.H62", ("Chủ tịch", "Phó Chủ tịch")),
]
EXTERNAL_SHARE = 0.55  # of incoming documents; the rest come from units of the province
EXTERNAL_SIGNERS = 6  # names per external body

# Sentences of an imaginary main file ({object}, {year}, {unit} filled in).
FILE_SENTENCES = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư",
    "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về {object} năm {year}",
    "Xét đề nghị của Chánh Văn phòng và Trưởng phòng chuyên môn",
    "{unit} đề nghị các cơ quan, đơn vị quan tâm phối hợp thực hiện các nội dung sau",
    "Rà soát, tổng hợp số liệu về {object} và gửi về trước ngày 25 hằng tháng",
    "Bố trí kinh phí từ nguồn ngân sách được giao năm {year} để thực hiện",
    "Tổ chức tuyên truyền sâu rộng đến cán bộ, công chức, viên chức và Nhân dân",
    "Trong quá trình thực hiện nếu có khó khăn, vướng mắc đề nghị phản ánh kịp thời để tổng hợp",
    "Giao Thủ trưởng các cơ quan, đơn vị chịu trách nhiệm thi hành văn bản này",
    "Kết quả thực hiện {object} đạt và vượt chỉ tiêu kế hoạch đề ra",
    "Một số đơn vị còn chậm triển khai, chất lượng báo cáo chưa cao",
    "Văn bản này có hiệu lực kể từ ngày ký",
    "Đề nghị các đơn vị nghiêm túc triển khai thực hiện và báo cáo kết quả đúng thời hạn",
    "Nơi nhận: Như trên; Lưu: VT",
]
FILE_TEXT_SHARE = 0.55
DIRECTIONS = [
    "Giao {lead} chủ trì, tham mưu thực hiện; báo cáo kết quả trước hạn.",
    "Chuyển {lead} nghiên cứu, đề xuất.",
    "Giao {lead} chủ trì, phối hợp các đơn vị liên quan triển khai thực hiện.",
    "Đề nghị {lead} xử lý theo quy định, tham mưu văn bản trả lời.",
    "Giao {lead} theo dõi, tổng hợp và báo cáo lãnh đạo.",
]
RESULTS = [
    "Đã tham mưu văn bản trả lời.",
    "Đã triển khai thực hiện theo chỉ đạo.",
    "Đã tổng hợp, báo cáo lãnh đạo.",
    "Đã phối hợp thực hiện xong.",
    "Đã lưu hồ sơ theo dõi.",
]


def weights_cumulative(weights: dict[str, float], names: list[str]) -> list[float]:
    """Running totals of the weights of `names` (OTHER_TYPE_WEIGHT for a name not listed), for
    drawing with bisect."""
    return list(itertools.accumulate(weights.get(n, OTHER_TYPE_WEIGHT) for n in names))
