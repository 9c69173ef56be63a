"""Column names of the monthly statistics files and the Vietnamese headers accepted as aliases."""

import re
import unicodedata

from dossiers.metrics import COUNTER_FIELDS, REQUIRED_COUNTERS

KEY_COLUMNS = ("commune_code", "month")
ALL_COLUMNS = KEY_COLUMNS + COUNTER_FIELDS
REQUIRED_COLUMNS = KEY_COLUMNS + REQUIRED_COUNTERS
# Columns of the downloadable template that help a person fill it in and are ignored on import.
INFORMATIVE_COLUMNS = ("commune_name",)

# The headers of the Vietnamese template. Never translated at run time: a file filled in with the
# English interface must still import with the Vietnamese one and the other way round.
VIETNAMESE_HEADERS = {
    "commune_code": "Mã xã",
    "commune_name": "Tên xã",
    "month": "Tháng (YYYY-MM)",
    "received": "Tiếp nhận trong kỳ",
    "carried_over": "Kỳ trước chuyển sang",
    "resolved_early": "Giải quyết trước hạn",
    "resolved_on_time": "Giải quyết đúng hạn",
    "resolved_late": "Giải quyết trễ hạn",
    "pending_on_time": "Đang giải quyết trong hạn",
    "pending_overdue": "Đang giải quyết quá hạn",
    "online_full": "Trực tuyến toàn trình",
    "online_partial": "Trực tuyến một phần",
    "postal": "Bưu chính công ích",
    "digitized": "Số hóa hồ sơ",
    "apologies": "Văn bản xin lỗi",
    "received_in_person": "Tiếp nhận trực tiếp",
    "received_online": "Tiếp nhận qua mạng",
    "awaiting_supplement": "Chờ bổ sung",
    "returned": "Trả lại / xin rút",
    "suspended": "Tạm dừng",
    "other_outcome": "Khác",
}


def _normal(header) -> str:
    text = unicodedata.normalize("NFC", str(header or "")).strip().lower()
    text = re.sub(r"\s*\(.*\)\s*$", "", text)  # "Tháng (YYYY-MM)" → "tháng"
    return re.sub(r"[\s_]+", " ", text)


_ALIASES = {_normal(name): name for name in ALL_COLUMNS + INFORMATIVE_COLUMNS}
_ALIASES.update({_normal(label): name for name, label in VIETNAMESE_HEADERS.items()})
_ALIASES[_normal("Tháng")] = "month"


def canonical_column(header) -> str | None:
    """The field a header names, or None for a column we do not know."""
    return _ALIASES.get(_normal(header))
