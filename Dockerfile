# Mimic in a container: `mimic` is the entry point, listening on all
# interfaces inside it, port 8900.
#   docker build -t mimic .
#   docker run --rm -p 8900:8900 mimic
#   docker run --rm -p 8900:8900 -v "$PWD/mesh.yaml:/m.yaml:ro" mimic --mesh /m.yaml --verbose

# Build stage: the dependency list, then the wheel. Nothing of it but those
# two reaches the image.
FROM python:3.11-slim AS build
WORKDIR /src
# setup.py is the one list of dependencies: print its install_requires
# without building anything (setup() replaced by a printer).
COPY setup.py pyproject.toml README.md ./
RUN pip install --no-cache-dir "setuptools>=64,<85" \
    && python -c "import runpy, setuptools; setuptools.setup = lambda **kw: print(*kw['install_requires'], sep='\n'); runpy.run_path('setup.py')" > /requirements.txt
COPY mimic ./mimic
COPY twisted ./twisted
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
# Dependencies in their own layer, before any of Mimic: rebuilt only when
# setup.py's list changes.
COPY --from=build /requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt \
    && groupadd --gid 10001 mimic \
    && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin mimic
# Mimic from its wheel; then Twisted's plugin caches, written as root once,
# from / so that the installed package (not a source tree) is the one
# cached: the unprivileged user never needs to write them.
COPY --from=build /wheels/ /tmp/wheels/
RUN pip install --no-cache-dir --no-deps /tmp/wheels/*.whl \
    && pip check \
    && rm -rf /tmp/wheels \
    && cd / && python -m mimic.plugin_cache

WORKDIR /tmp
# Numeric, so Kubernetes can check runAsNonRoot (deploy/k8s, mimic mesh render).
USER 10001
EXPOSE 8900
# Arguments given to `docker run` replace CMD; MIMIC_LISTEN keeps them on
# all interfaces unless they say --listen themselves.
ENV MIMIC_LISTEN=tcp:8900:interface=0.0.0.0
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8900/', timeout=2)"]
ENTRYPOINT ["mimic"]
CMD ["--listen", "tcp:8900:interface=0.0.0.0"]
