# Shared set-up of the benchmark scripts (sourced, not run). Needs ROOT (the checkout) and the
# test classpath in ~/.m2 (mvn -B -q -DskipTests package has been run once).

# free_port: a TCP port free on 127.0.0.1 now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_s3proxy WORK PORT [memory]: S3Proxy 4.1 as a separate JVM over WORK/s3 (filesystem
# store; with "memory", jclouds' in-memory store) on 127.0.0.1:PORT. Sets S3PID (the caller's cleanup kills it) and exports the AWS_* environment
# that Debian's AWS CLI and runbook read: credentials only in the environment, as the team's
# scripts have them. Fails when the server does not listen within 30 s.
start_s3proxy() {
  local work="$1" port="$2" store="${3:-filesystem}"
  (cd "$ROOT" && mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >/dev/null)
  mkdir -p "$work/s3"
  cat >"$work/s3proxy.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench-access
s3proxy.credential=bench-secret-key
s3proxy.ignore-unknown-headers=true
$(if [ "$store" = memory ]; then echo "jclouds.provider=transient"; else
  printf 'jclouds.provider=filesystem\njclouds.filesystem.basedir=%s\n' "$work/s3"; fi)
jclouds.identity=unused
jclouds.credential=unused
PROPS
  java -Xmx512m -cp "$(cat "$work/cp.txt")" org.gaul.s3proxy.Main --properties "$work/s3proxy.properties" \
    >"$work/s3proxy.log" 2>&1 &
  S3PID=$!
  local up=""
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
    sleep 0.3
  done
  [ -n "$up" ] || { echo "S3Proxy did not listen on $port; log: $work/s3proxy.log" >&2; return 1; }
  unset AWS_PROFILE AWS_SESSION_TOKEN
  export AWS_ACCESS_KEY_ID=bench-access AWS_SECRET_ACCESS_KEY=bench-secret-key AWS_REGION=us-east-1 \
    AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_EC2_METADATA_DISABLED=true \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
}
