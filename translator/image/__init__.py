"""Image backends: ImageSpec + LayerPlan + ContentSource -> docker-archives and OCI layouts.

Entry points: :func:`translator.image.build.build` (to a file or directory, atomically),
:func:`translator.image.build.stream` (to a stream), :func:`translator.image.inspect.inspect_image`.
"""
