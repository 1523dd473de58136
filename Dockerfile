# The runbook image: `docker build -t runbook:dev .` (README: "Running the nightly backup on
# Kubernetes"). Two stages: Maven builds the jar, then a slim Debian 12 runtime holds a JRE 17,
# the PostgreSQL 15 client tools (pg_dump, psql, pg_restore) and runbook, run as a non-root user.
# Base images are pinned to exact tags; change them deliberately, never to `latest`.

FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first, so source edits do not download them again.
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package

FROM debian:12.11-slim AS runtime
# postgresql-client-15 pins the major version (Debian 12's own PostgreSQL); the rest follows
# Debian 12's security updates rather than exact versions that disappear from the archive.
# age: encrypted backups (backup.yaml encrypt_to) run Debian's age CLI in the pipeline.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless postgresql-client-15 ca-certificates age \
 && rm -rf /var/lib/apt/lists/*

# A fixed uid/gid, so Kubernetes can check runAsNonRoot and the chart's securityContext matches.
RUN groupadd --system --gid 10001 runbook \
 && useradd --system --uid 10001 --gid 10001 --home-dir /home/runbook --create-home --shell /usr/sbin/nologin runbook \
 && install -d -o 10001 -g 10001 -m 0700 /var/lib/runbook

# bin/runbook finds the jar at ../target/runbook.jar with its dependencies in ../target/lib.
COPY --from=build /src/target/runbook.jar /opt/runbook/target/runbook.jar
COPY --from=build /src/target/lib /opt/runbook/target/lib
COPY bin/runbook /opt/runbook/bin/runbook
COPY runbooks /opt/runbook/runbooks
RUN ln -s /opt/runbook/bin/runbook /usr/local/bin/runbook

# Journals and locks; in Kubernetes an emptyDir is mounted here (the root filesystem is read-only).
ENV RUNBOOK_STATE_DIR=/var/lib/runbook
USER 10001:10001
WORKDIR /home/runbook
ENTRYPOINT ["runbook"]
CMD ["--help"]
