"""AIS/NMEA decoding and encoding.

Public entry points:

* :func:`iter_messages` - streaming: one gpsd-style dict per message;
* :func:`iter_records` - streaming: one typed record (named tuple) per message;
* :func:`decode_batch` - columnar: Arrow tables per message family;
* :class:`StreamDecoder` - incremental decoding of a live byte stream;
* :func:`encode` - build NMEA sentences from field values.

Every rejected line gets an :class:`Outcome` code; the decoder raises nothing but
:class:`AisError`, and only for programming errors such as invalid encoder input.
"""

from seawarden.ais.arrow import decode_batch, iter_batches
from seawarden.ais.decoder import Decoder, DecoderConfig, DecodeStats, Reject
from seawarden.ais.errors import AisError, Outcome
from seawarden.ais.stream import StreamDecoder, decode_line, iter_messages, iter_records

__all__ = [
    "AisError",
    "DecodeStats",
    "Decoder",
    "DecoderConfig",
    "Outcome",
    "Reject",
    "StreamDecoder",
    "decode_batch",
    "decode_line",
    "iter_batches",
    "iter_messages",
    "iter_records",
]
