"""A short generated video that stands in for a camera: the tests play it through ``VideoSource``
and ``meso-kiosk self-test`` decodes a frame of it to prove QtMultimedia's FFmpeg plugin is there.

Motion-JPEG in an AVI file, written here byte by byte (each frame a JPEG from Qt's own image
plugin): no encoder is needed, so the file is the same on every machine, and a stand-in "scalp"
(a disc over a plain background in one dominant colour) lets a test tell its pixels in a photo.
"""

from __future__ import annotations

import struct
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

BACKGROUND = "#2E7D32"  # the dominant colour of every frame: a green no skin or room has
SIZE = (320, 240)
FRAMES = 20
FPS = 10
KEYFRAME = 0x10  # AVIIF_KEYFRAME: every Motion-JPEG frame stands alone


def paint_frame(index: int, size: tuple[int, int] = SIZE, background: str = BACKGROUND) -> QImage:
    """Frame ``index``: the background, a skin-coloured disc (a head seen from above) that drifts
    a little from frame to frame, so consecutive frames differ as a live picture does."""
    width, height = size
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(background))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#E0B48E"))
    radius = min(width, height) / 5
    painter.drawEllipse(QPointF(width / 2 + (index % 10 - 5) * 2, height / 2), radius, radius * 1.15)
    painter.end()
    return image


def _jpeg(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "JPEG", 90):
        raise OSError("Qt cannot write JPEG (its image format plugin is missing)")
    buffer.close()
    return bytes(data.data())


def _chunk(fourcc: bytes, data: bytes) -> bytes:
    return fourcc + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")


def _list(kind: bytes, *chunks: bytes) -> bytes:
    return _chunk(b"LIST", kind + b"".join(chunks))


def avi_bytes(jpegs: list[bytes], size: tuple[int, int], fps: int) -> bytes:
    """A Motion-JPEG AVI (one video stream, an index) of the given JPEG frames."""
    width, height = size
    largest = max(len(frame) for frame in jpegs)
    main_header = struct.pack("<10I4I", 1_000_000 // fps, largest * fps, 0, 0x10, len(jpegs), 0, 1, largest,
                              width, height, 0, 0, 0, 0)
    stream_header = struct.pack("<4s4sIHHIIIIIIII4h", b"vids", b"MJPG", 0, 0, 0, 0, 1, fps, 0, len(jpegs),
                                largest, 0xFFFFFFFF, 0, 0, 0, width, height)
    bitmap = struct.pack("<IiiHH4sIiiII", 40, width, height, 1, 24, b"MJPG", width * height * 3, 0, 0, 0, 0)
    header = _list(b"hdrl", _chunk(b"avih", main_header),
                   _list(b"strl", _chunk(b"strh", stream_header), _chunk(b"strf", bitmap)))
    frames, index, offset = [], [], 4  # offsets count from the 'movi' word
    for frame in jpegs:
        frames.append(_chunk(b"00dc", frame))
        index.append(struct.pack("<4sIII", b"00dc", KEYFRAME, offset, len(frame)))
        offset += len(frames[-1])
    body = header + _list(b"movi", *frames) + _chunk(b"idx1", b"".join(index))
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"AVI " + body


def write_video(path: Path, *, frames: int = FRAMES, size: tuple[int, int] = SIZE, fps: int = FPS,
                background: str = BACKGROUND) -> Path:
    """Write the generated video to ``path`` (a few kB per frame) and return it."""
    jpegs = [_jpeg(paint_frame(index, size, background)) for index in range(frames)]
    path.write_bytes(avi_bytes(jpegs, size, fps))
    return path
