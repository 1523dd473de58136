package dev.runbook.executors.metrics;

import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;

import java.util.List;

/**
 * Freshness metrics for monitoring: a run's result, time and figures in Prometheus' text
 * format, written to a node-exporter textfile directory and/or pushed to a Pushgateway, so
 * that "no successful backup for 26 h" can page someone (rules in docs/prometheus/).
 */
public final class MetricsExecutor implements Executor {

    private static final List<Action> ACTIONS = List.of(new PushAction());

    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public String summary() {
        return "Write or push Prometheus metrics about a run (last success, duration, bytes, rows)";
    }

    @Override
    public List<Action> actions() {
        return ACTIONS;
    }
}
