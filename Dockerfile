# Mimic in a container: listens on all interfaces inside it, port 8900.
#   docker build -t mimic . && docker run --rm -p 8900:8900 mimic
FROM python:3.11-slim

WORKDIR /src
COPY . .
# Install, then build Twisted's plugin caches once as root, so the
# unprivileged user never needs to write into site-packages.
RUN pip install --no-cache-dir . \
    && python -c "from twisted.plugin import IPlugin, getPlugins; import twisted.plugins, mimic.plugins; list(getPlugins(IPlugin, twisted.plugins)); list(getPlugins(IPlugin, mimic.plugins))" \
    && rm -rf /src \
    && useradd --create-home --shell /usr/sbin/nologin mimic

WORKDIR /home/mimic
USER mimic
EXPOSE 8900
CMD ["twistd", "--nodaemon", "--pidfile=", "mimic", "--listen", "tcp:8900:interface=0.0.0.0"]
