"""Data for the new catalogue fields (issue 7, items 8 and 9), reversible.

* Fees (decision 11: 0 means exempt, a fee the HĐND tỉnh sets is "to be set", never 0): a row with
  amount 0 becomes ``exempt``, or ``province`` when its description or legal basis names the
  provincial People's Council (HĐND); either way its amount is emptied. Backwards: empty amounts
  become 0 again (what the old column held).
* Announcement decisions: the free ``announcement_decision`` text is split into number, date and
  issuer; a text with no decision number in it is kept at the end of the notes (marked, so that
  the way back restores it). Where the text was empty, a decision the notes or the legal basis name
  as announcing the procedure ("quyết định công bố 3152/QĐ-BTP", "Quyết định 2831/QĐ-UBND ngày
  10/7/2025 của UBND thành phố Hải Phòng công bố …") fills the fields; the notes are left as they
  are. Backwards: the fields are written back as one text, except those the notes or the legal
  basis still name (they came from there, and the text was empty).
* Provenance: versions of the catalogue shipped with motcua (code, name and effective date
  01/07/2025 of data/procedures.json at this migration, loaded without a user) are marked
  ``sample``; backwards there is nothing to undo (the column goes).

Like every migration it reads the historical models only (no app code): the parsing below is a
frozen copy of ``catalog.records.split_announcement`` as it was written.
"""

import datetime as dt
import re
import unicodedata
import uuid

from django.db import migrations

SHIPPED_FROM = dt.date(2025, 7, 1)
SHIPPED_NAMES = {
    '1.000656': 'Đăng ký khai tử',
    '1.000894': 'Đăng ký kết hôn',
    '1.001022': 'Đăng ký nhận cha, mẹ, con',
    '1.001193': 'Đăng ký khai sinh',
    '1.001266': 'Chấm dứt hoạt động hộ kinh doanh',
    '1.001456': 'Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)',
    '1.001570': 'Đăng ký tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã đăng ký của hộ kinh doanh',
    '1.001612': 'Đăng ký thành lập hộ kinh doanh',
    '1.001699': 'Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật',
    '1.001731': 'Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội',
    '1.001776': 'Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng, hỗ trợ kinh phí chăm sóc, nuôi dưỡng hằng tháng',
    '1.002755': 'Gia hạn tạm trú',
    '1.003197': 'Xóa đăng ký thường trú',
    '1.003583': 'Đăng ký khai sinh lưu động',
    '1.003677': 'Khai báo tạm vắng',
    '1.004194': 'Đăng ký tạm trú',
    '1.004222': 'Đăng ký thường trú',
    '1.004772': 'Đăng ký khai sinh cho người đã có hồ sơ, giấy tờ cá nhân',
    '1.004837': 'Đăng ký giám hộ',
    '1.004845': 'Đăng ký chấm dứt giám hộ',
    '1.004859': 'Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc',
    '1.004873': 'Cấp Giấy xác nhận tình trạng hôn nhân',
    '1.004884': 'Đăng ký lại khai sinh',
    '1.009122': 'Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ',
    '1.010028': 'Xóa đăng ký tạm trú',
    '1.010038': 'Tách hộ',
    '1.010039': 'Điều chỉnh thông tin về cư trú trong Cơ sở dữ liệu về cư trú',
    '1.010040': 'Khai báo thông tin về cư trú đối với người chưa đủ điều kiện đăng ký thường trú, đăng ký tạm trú',
    '1.010041': 'Xác nhận thông tin về cư trú',
    '1.010833': 'Cấp giấy xác nhận thân nhân của người có công',
    '1.011607': 'Công nhận hộ nghèo, hộ cận nghèo; hộ thoát nghèo, hộ thoát cận nghèo thường xuyên hằng năm',
    '1.012753': 'Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu đối với tổ chức đang sử dụng đất',
    '1.012812': 'Hòa giải tranh chấp đất đai',
    '1.013226': 'Điều chỉnh giấy phép xây dựng đối với công trình cấp III, cấp IV và nhà ở riêng lẻ',
    '1.013227': 'Gia hạn giấy phép xây dựng đối với công trình cấp III, cấp IV và nhà ở riêng lẻ',
    '1.013967': 'Giải quyết tranh chấp đất đai thuộc thẩm quyền của Chủ tịch Ủy ban nhân dân cấp xã',
    '1.013978': 'Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu đối với hộ gia đình, cá nhân, cộng đồng dân cư, người gốc Việt Nam định cư ở nước ngoài',
    '1.014027': 'Thực hiện, điều chỉnh, thôi hưởng trợ cấp hưu trí xã hội',
    '1.014199': 'Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam',
    '2.000200': 'Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên (thực hiện tại cấp tỉnh)',
    '2.000575': 'Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh; cấp đổi sang Giấy chứng nhận đăng ký hộ kinh doanh',
    '2.000635': 'Cấp bản sao trích lục hộ tịch',
    '2.000720': 'Đăng ký thay đổi nội dung đăng ký hộ kinh doanh',
    '2.000806': 'Đăng ký kết hôn có yếu tố nước ngoài',
    '2.000815': 'Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của Việt Nam, của nước ngoài cấp hoặc chứng nhận',
    '2.000884': 'Chứng thực chữ ký trong các giấy tờ, văn bản (áp dụng cả trường hợp chứng thực điểm chỉ và trường hợp người yêu cầu chứng thực không ký, không điểm chỉ được)',
    '2.000908': 'Cấp bản sao từ sổ gốc',
    '2.000913': 'Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch',
    '2.000942': 'Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã được chứng thực',
    '2.000992': 'Chứng thực chữ ký người dịch mà người dịch là cộng tác viên dịch thuật của Ủy ban nhân dân cấp xã',
    '2.001019': 'Chứng thực di chúc',
    '2.001035': 'Chứng thực giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất, nhà ở',
    '2.001406': 'Chứng thực văn bản thỏa thuận phân chia di sản mà di sản là động sản, quyền sử dụng đất, nhà ở',
    '2.001610': 'Đăng ký thành lập doanh nghiệp tư nhân',
    '3.000333': 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam',
    '3.000347': 'Đổi giấy phép lái xe',
}
KEPT_MARK = "Quyết định công bố (chưa tách được số, ngày): "

_NUMBER = r"(\d+(?:/\d{4})?/QĐ-[0-9A-Za-zĐđ]+(?:-[0-9A-Za-zĐđ]+)*)"
_DATE = r"ngày\s+(\d{1,2})/(\d{1,2})/(\d{4})"
_ISSUERS = {
    "BTP": "Bộ Tư pháp",
    "BCA": "Bộ Công an",
    "BTC": "Bộ Tài chính",
    "BNNMT": "Bộ Nông nghiệp và Môi trường",
    "BXD": "Bộ Xây dựng",
    "BYT": "Bộ Y tế",
    "BNV": "Bộ Nội vụ",
    "TTg": "Thủ tướng Chính phủ",
}
_IN_TEXT = re.compile(
    _NUMBER + r"(?:\s+" + _DATE + r")?(?:\s+của\s+(.+?))?\s*(?=công bố\b|[;,()]|\.\s|\.$|$)",
)
# Where the notes or the legal basis say that a decision announced the procedure.
_ANNOUNCING = [
    re.compile(r"quyết định công bố\s+" + _NUMBER, re.IGNORECASE),
    re.compile(
        r"Quyết định\s+(?:số\s+)?" + _NUMBER + r"(?:\s+" + _DATE + r")?(?:\s+của\s+(.+?))?"
        r"\s+công bố\b"
    ),
]


def _fold(text):
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(
        c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn"
    )


def _names_council(*texts):
    folded = " ".join(_fold(t or "") for t in texts)
    return "hdnd" in folded or "hoi dong nhan dan" in folded


def _issuer(number, named):
    if named:
        named = named.strip()
        return re.sub(r"^UBND\b", "Ủy ban nhân dân", named)
    suffix = number.rsplit("/QĐ-", 1)[-1]
    return _ISSUERS.get(suffix, "")


def _date(groups):
    day, month, year = groups
    if not day:
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def split_announcement(text):
    """"3152/QĐ-BTP ngày 01/02/2025 của Bộ Tư pháp" → (number, date, issuer); None without a number."""
    match = _IN_TEXT.search(text or "")
    if match is None:
        return None
    number = match.group(1)
    return number, _date(match.group(2, 3, 4)), _issuer(number, match.group(5))


def announced_in(texts):
    for text in texts:
        for pattern in _ANNOUNCING:
            match = pattern.search(text or "")
            if match is None:
                continue
            number = match.group(1)
            if match.re.groups >= 5:
                return number, _date(match.group(2, 3, 4)), _issuer(number, match.group(5))
            return number, None, _issuer(number, None)
    return None


def _bump(apps):
    # Processes cache versions by the catalogue's data version (catalog.selectors): move it.
    DataVersion = apps.get_model("core", "DataVersion")
    DataVersion.objects.filter(name="catalog").update(value=uuid.uuid4().hex)


def forward(apps, schema_editor):
    ProcedureFee = apps.get_model("catalog", "ProcedureFee")
    ProcedureVersion = apps.get_model("catalog", "ProcedureVersion")
    for fee in ProcedureFee.objects.filter(amount=0):
        fee.pricing = "province" if _names_council(fee.description, fee.legal_basis) else "exempt"
        fee.amount = None
        fee.save(update_fields=["pricing", "amount"])
    for version in ProcedureVersion.objects.select_related("procedure").iterator():
        changed = []
        text = version.announcement_decision.strip()
        found = split_announcement(text) if text else announced_in(
            [version.notes, *[line for line in version.legal_basis if isinstance(line, str)]]
        )
        if text and found is None:
            version.notes = (version.notes + "\n" if version.notes else "") + KEPT_MARK + text
            changed.append("notes")
        if found is not None:
            version.announcement_number, version.announcement_date, version.announcement_issuer = found
            changed += ["announcement_number", "announcement_date", "announcement_issuer"]
        if (
            SHIPPED_NAMES.get(version.procedure.code) == version.name
            and version.effective_from == SHIPPED_FROM
            and version.created_by_id is None
        ):
            version.source = "sample"
            changed.append("source")
        if changed:
            version.save(update_fields=changed)
    _bump(apps)


def _came_from_notes(version):
    found = announced_in(
        [version.notes, *[line for line in version.legal_basis if isinstance(line, str)]]
    )
    return found is not None and found[0] == version.announcement_number


def backward(apps, schema_editor):
    ProcedureFee = apps.get_model("catalog", "ProcedureFee")
    ProcedureVersion = apps.get_model("catalog", "ProcedureVersion")
    ProcedureFee.objects.filter(amount__isnull=True).update(amount=0)
    for version in ProcedureVersion.objects.iterator():
        changed = []
        head, mark, kept = version.notes.rpartition(KEPT_MARK)
        if mark and "\n" not in kept:
            version.announcement_decision = kept
            version.notes = head.removesuffix("\n")
            changed += ["announcement_decision", "notes"]
        elif version.announcement_number and not _came_from_notes(version):
            parts = [version.announcement_number]
            if version.announcement_date:
                parts.append(f"ngày {version.announcement_date:%d/%m/%Y}")
            if version.announcement_issuer:
                parts.append(f"của {version.announcement_issuer}")
            version.announcement_decision = " ".join(parts)[:255]
            changed.append("announcement_decision")
        if changed:
            version.save(update_fields=changed)
    _bump(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_time_limits_fees_provenance"),
        ("core", "0001_data_version"),
    ]

    operations = [migrations.RunPython(forward, backward)]
