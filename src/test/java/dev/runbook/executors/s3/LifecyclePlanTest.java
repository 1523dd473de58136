package dev.runbook.executors.s3;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifecyclePlanTest {

    private final LifecyclePlan plan = new LifecyclePlan("archive", "postgres/", "GLACIER", 365, 7);
    private final LifecycleRule other = LifecycleRule.builder().id("logs").status(ExpirationStatus.ENABLED)
            .filter(f -> f.prefix("logs/")).expiration(e -> e.days(30)).build();

    @Test
    void addsOurRuleAndKeepsOthers() {
        LifecyclePlan.Merge m = plan.mergeInto(List.of(other));
        assertTrue(m.changed());
        assertEquals(List.of("logs", "archive"), m.ids());
        assertEquals(other, m.rules().get(0));
    }

    @Test
    @SuppressWarnings("deprecation") // builds a rule in the legacy Prefix form on purpose
    void unchangedWhenTheSameRuleIsThereEvenInTheLegacyPrefixForm() {
        LifecycleRule legacy = plan.rule().toBuilder().filter((software.amazon.awssdk.services.s3.model.LifecycleRuleFilter) null)
                .prefix("postgres/").build();
        assertFalse(plan.mergeInto(List.of(other, plan.rule())).changed());
        assertFalse(plan.mergeInto(List.of(legacy)).changed());
    }

    @Test
    void replacesOurRuleWhenItDiffersOrIsDisabled() {
        LifecycleRule disabled = plan.rule().toBuilder().status(ExpirationStatus.DISABLED).build();
        LifecyclePlan.Merge m = plan.mergeInto(List.of(disabled, other));
        assertTrue(m.changed());
        assertEquals(List.of("archive", "logs"), m.ids());
        assertEquals(ExpirationStatus.ENABLED, m.rules().get(0).status());

        LifecycleRule withExpiry = plan.rule().toBuilder().expiration(e -> e.days(400)).build();
        assertTrue(plan.mergeInto(List.of(withExpiry)).changed());
        assertTrue(new LifecyclePlan("archive", "postgres/", "DEEP_ARCHIVE", 365, 7).mergeInto(List.of(plan.rule())).changed());
    }
}
