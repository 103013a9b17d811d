"""Files citizens and staff attach to a case: checked by content, stored under a random name.

Two steps so that a form with several files saves nothing when one is refused:

    checked = [inspect(f) for f in files]          # raises ValueError (Vietnamese message)
    ... create the case ...
    rows = [store(c, complaint) for c in checked]  # writes the files, adds Attachment rows

`save_upload()` does both for a single file. If the transaction then fails, call
`discard(rows)` to remove the files that were written.
"""
import hashlib
import io
import os
import secrets
import warnings
from dataclasses import dataclass

import filetype
import pillow_heif
from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

pillow_heif.register_heif_opener()  # iPhone photos (HEIC) are decoded and stored as JPEG

from feedback.extensions import db
from feedback.models import Attachment

# Content types accepted, by what the bytes are (never by the file name).
ALLOWED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "application/pdf": "pdf",
}
ACCEPT_ATTRIBUTE = ",".join([*ALLOWED_TYPES, ".heic"])
MAX_FILES = 3
# What each image is saved as after decoding: (Pillow format, content type, extension).
REENCODE = {
    "image/jpeg": ("JPEG", "image/jpeg", "jpg"),
    "image/heic": ("JPEG", "image/jpeg", "jpg"),
    "image/png": ("PNG", "image/png", "png"),
    "image/webp": ("WEBP", "image/webp", "webp"),
}


@dataclass
class CheckedUpload:
    original_name: str
    content_type: str
    extension: str
    data: bytes

    @property
    def size(self):
        return len(self.data)


def max_bytes():
    return int(current_app.config.get("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))


def human_size(size):
    """10485760 -> '10 MB', 2048 -> '2 KB'."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.3g} MB"
    return f"{max(size // 1024, 1)} KB"


def _clean_name(name):
    name = os.path.basename((name or "").replace("\\", "/")).strip()
    name = "".join(c for c in name if c.isprintable())
    return (name or "tep-dinh-kem")[:255]


def has_file(upload):
    """True when a form file field actually carries a file."""
    return upload is not None and bool(getattr(upload, "filename", None))


def inspect(upload):
    """Read and check one uploaded file (a werkzeug FileStorage); returns a CheckedUpload.

    Raises ValueError with a Vietnamese message when the file is empty, too big,
    or not an image (JPEG, PNG, WebP, HEIC) or PDF by its content.
    """
    return check_bytes(upload.stream.read(max_bytes() + 1), upload.filename)


def check_bytes(data, name):
    """The same checks for bytes from elsewhere (an MMS photo fetched from Twilio)."""
    limit = max_bytes()
    name = _clean_name(name)
    if not data:
        raise ValueError(_("Tệp “%(name)s” trống.", name=name))
    if len(data) > limit:
        raise ValueError(_("Tệp “%(name)s” quá lớn: tối đa %(size)s mỗi tệp.", name=name, size=human_size(limit)))
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise _refused(name)
    if kind.mime == "application/pdf":
        _check_pdf(data, name)
        return CheckedUpload(original_name=name, content_type=kind.mime, extension="pdf", data=data)
    data, content_type, extension = _reencode_image(data, kind.mime, name)
    return CheckedUpload(original_name=name, content_type=content_type, extension=extension, data=data)


def _refused(name):
    return ValueError(_("Tệp “%(name)s” không được chấp nhận: chỉ nhận ảnh (JPG, PNG, WebP, HEIC) hoặc PDF.",
                        name=name))


def _reencode_image(data, mime, name):
    """Decode the image and save it afresh: what is stored is only pixels (no metadata, no trailing bytes).

    Images of more than MAX_IMAGE_PIXELS (40 megapixels by default) are refused before decoding.
    """
    limit = int(current_app.config.get("MAX_IMAGE_PIXELS", 40_000_000))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > limit:
                raise ValueError(_("Ảnh “%(name)s” quá lớn (quá %(mp)d triệu điểm ảnh).", name=name, mp=limit // 10**6))
            image.load()
            image = ImageOps.exif_transpose(image)  # keep the orientation the EXIF said, then drop the EXIF
    except ValueError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, UnidentifiedImageError, OSError,
            SyntaxError, EOFError) as exc:
        raise _refused(name) from exc
    fmt, content_type, extension = REENCODE[mime]
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 88, "optimize": True} if fmt == "JPEG" else {}))
    return out.getvalue(), content_type, extension


def _check_pdf(data, name):
    """A PDF must parse as one (a file that only starts with "%PDF-" is refused)."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) < 1:
            raise _refused(name)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise _refused(name) from exc


def inspect_all(uploads, max_files=MAX_FILES):
    """Check every real file in `uploads`; raises ValueError on the first problem."""
    files = [u for u in uploads or [] if has_file(u)]
    if len(files) > max_files:
        raise ValueError(_("Chỉ được gửi tối đa %(n)d tệp.", n=max_files))
    return [inspect(u) for u in files]


def store(checked, complaint, *, event=None, uploaded_by=None, is_evidence=False):
    """Write a checked file (see `write_file`); add and return its Attachment row."""
    stored_name = write_file(checked)
    row = Attachment(
        complaint=complaint,
        event_id=getattr(event, "id", None),
        original_name=checked.original_name,
        stored_name=stored_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=hashlib.sha256(checked.data).hexdigest(),
        is_evidence=is_evidence,
        uploaded_by_id=getattr(uploaded_by, "id", None),
    )
    db.session.add(row)
    return row


def write_file(checked):
    """Write a checked file under UPLOAD_FOLDER with a random name; returns that name."""
    folder = current_app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{checked.extension}"
    with open(os.path.join(folder, stored_name), "xb") as handle:
        handle.write(checked.data)
    return stored_name


def save_upload(upload, complaint, **kwargs):
    """Check and store one upload; returns the Attachment or raises ValueError (nothing written)."""
    return store(inspect(upload), complaint, **kwargs)


def path_of(attachment):
    return path_of_name(attachment.stored_name)


def path_of_name(stored_name):
    return os.path.join(current_app.config["UPLOAD_FOLDER"], stored_name)


def discard(attachments):
    """Remove the files of attachments whose transaction did not commit."""
    for attachment in attachments:
        try:
            os.remove(path_of(attachment))
        except FileNotFoundError:
            pass
