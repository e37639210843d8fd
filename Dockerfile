# ngsp-sim hub (and, with another command, one simulated agency). Build: docker build -t ngsp-sim .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY ngsp_sim ./ngsp_sim
COPY adapters ./adapters
COPY schemas ./schemas
# The data directory exists (owned by ngsp) so that a volume mounted there is writable: it holds the
# message log's key (message-log.key), which replicas on one PostgreSQL share.
RUN pip install ".[postgres]" && useradd --create-home --uid 10001 ngsp \
    && install -d -o ngsp -g ngsp -m 0700 /home/ngsp/data
USER ngsp
ENV NGSP_SIM_HOST=0.0.0.0 NGSP_SIM_PORT=8080 NGSP_SIM_DATA_DIR=/home/ngsp/data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status == 200 else 1)"
ENTRYPOINT ["ngsp-sim"]
CMD ["up"]
