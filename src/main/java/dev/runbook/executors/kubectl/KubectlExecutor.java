package dev.runbook.executors.kubectl;

import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;

import java.util.List;
import dev.runbook.spi.Params;
import dev.runbook.spi.Resolved;
import dev.runbook.spi.StepContext;

/**
 * {@code uses: kubectl.<action>}: Kubernetes steps on the Fabric8 client (no kubectl binary
 * needed), configured like kubectl: kubeconfig or in-cluster service account, with context and
 * namespace from the step, else the run's {@code kubernetes} target, else the kubeconfig.
 */
public final class KubectlExecutor implements Executor {

    private final List<Action> actions;
    private final KubeClientFactory factory;

    public KubectlExecutor() {
        this(new KubeClientFactory());
    }

    KubectlExecutor(KubeClientFactory factory) {
        this.factory = factory;
        this.actions = List.of(
                new ApplyAction(factory),
                new DeleteAction(factory),
                new ScaleAction(factory),
                new RolloutRestartAction(factory),
                new WaitAction(factory),
                new ExecAction(factory),
                new RunJobAction(factory),
                new LogsAction(factory),
                new PortForwardAction(factory),
                new SecretFromFilesAction(factory));
    }

    @Override
    public String name() {
        return "kubectl";
    }

    @Override
    public String summary() {
        return "Apply manifests, scale, restart, wait for rollouts and jobs, exec, logs, port-forward and secrets on Kubernetes";
    }

    @Override
    public List<Action> actions() {
        return actions;
    }

    /** Context, cluster server and namespace, from the step, the target and the kubeconfig; never connects. */
    @Override
    public Resolved resolve(Action action, Params params, StepContext context) {
        return factory.resolve(params, context);
    }
}
