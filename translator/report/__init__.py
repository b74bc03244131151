"""``nix2image report``: one self-contained HTML page that explains an image to a student.

Plain data flows one way: :mod:`.model` turns an image spec, its layer plan and the image as
written (read back by :mod:`.archive`) into a :class:`~.model.Report` of dataclasses;
:mod:`.graph_svg` and :mod:`.svg_chart` draw the pictures as inline SVG text; :mod:`.render`
writes the HTML with every string escaped. No timestamps and no randomness: the same input gives
the same bytes.
"""
