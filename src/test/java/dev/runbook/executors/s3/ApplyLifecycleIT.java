package dev.runbook.executors.s3;

import dev.runbook.spi.Params;
import dev.runbook.testsupport.RecordingStepContext;
import dev.runbook.testsupport.S3MockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * apply-lifecycle against S3Mock, a real S3 API server that stores lifecycle configurations
 * (S3Proxy answers 501 to them). The transitions themselves are not executed by any local
 * server: this checks the configuration S3 would act on.
 */
class ApplyLifecycleIT {

    private static S3MockServer s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3MockServer.start();
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    private Map<String, Object> apply(Map<String, Object> params) throws Exception {
        Map<String, Object> all = new HashMap<>(params);
        all.put("endpoint", s3.endpoint().toString());
        RecordingStepContext ctx = new RecordingStepContext();
        s3.env().forEach(ctx::env);
        return S3ActionsSupport.action("apply-lifecycle").execute(Params.of(all), ctx).asMap();
    }

    private List<LifecycleRule> rules(String bucket) {
        return s3.client().getBucketLifecycleConfiguration(g -> g.bucket(bucket)).rules();
    }

    @Test
    void mergesWithAnUnrelatedRuleAndIsIdempotent() throws Exception {
        String bucket = s3.createBucket("lifecycle-merge");
        // a rule the team set by hand, which must survive
        s3.client().putBucketLifecycleConfiguration(p -> p.bucket(bucket).lifecycleConfiguration(c -> c.rules(
                LifecycleRule.builder().id("expire-tmp").status(ExpirationStatus.ENABLED)
                        .filter(f -> f.prefix("tmp/")).expiration(e -> e.days(3)).build())));

        Map<String, Object> first = apply(Map.of("prefix", "s3://lifecycle-merge/postgres/"));
        assertEquals(true, first.get("changed"));
        assertEquals(List.of("expire-tmp", "runbook-archive-postgres/"), first.get("rules"));

        List<LifecycleRule> stored = rules(bucket);
        assertEquals(2, stored.size());
        LifecycleRule tmp = stored.stream().filter(r -> r.id().equals("expire-tmp")).findFirst().orElseThrow();
        assertEquals(3, tmp.expiration().days());
        LifecycleRule ours = stored.stream().filter(r -> r.id().equals("runbook-archive-postgres/")).findFirst().orElseThrow();
        assertEquals("postgres/", ours.filter().prefix());
        assertEquals(365, ours.transitions().get(0).days());
        assertEquals("GLACIER", ours.transitions().get(0).storageClassAsString());
        assertEquals(7, ours.abortIncompleteMultipartUpload().daysAfterInitiation());

        Map<String, Object> again = apply(Map.of("prefix", "s3://lifecycle-merge/postgres/"));
        assertEquals(false, again.get("changed"));
        assertEquals(2, rules(bucket).size());

        // a different setting for the same rule replaces it, still keeping the other rule
        Map<String, Object> deeper = apply(Map.of("prefix", "s3://lifecycle-merge/postgres/",
                "storage-class", "DEEP_ARCHIVE", "days", 30L));
        assertEquals(true, deeper.get("changed"));
        List<LifecycleRule> after = rules(bucket);
        assertEquals(2, after.size());
        LifecycleRule updated = after.stream().filter(r -> r.id().equals("runbook-archive-postgres/")).findFirst().orElseThrow();
        assertEquals("DEEP_ARCHIVE", updated.transitions().get(0).storageClassAsString());
        assertEquals(30, updated.transitions().get(0).days());
    }

    @Test
    void createsTheConfigurationOnABucketThatHasNone() throws Exception {
        s3.createBucket("lifecycle-new");
        Map<String, Object> out = apply(Map.of("prefix", "s3://lifecycle-new/db/", "rule-id", "db-archive"));
        assertEquals(true, out.get("changed"));
        assertEquals(List.of("db-archive"), out.get("rules"));
        assertTrue(rules("lifecycle-new").stream().anyMatch(r -> r.id().equals("db-archive")));
    }
}
