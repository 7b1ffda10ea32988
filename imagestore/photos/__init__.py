"""What an upload's bytes are and become: judged by their bytes (``images``), decoded
within a memory budget (``decoding``) for a thumbnail and a rendition (``previews``),
and stripped of where they were taken (``privacy``), all put together for an upload
by ``incoming``."""
