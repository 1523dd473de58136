package dev.runbook.executors.kubectl;

/**
 * One API call as a person would name it, so a failure can say what was attempted:
 * {@code new Op("patch", "deployments/scale", "deployment/db")}.
 *
 * @param verb     the RBAC verb (get, list, create, update, patch, delete, ...)
 * @param resource the RBAC resource, plural, with subresource if any ("pods/exec")
 * @param object   the object for messages ("deployment/db", "pods with app=db")
 */
record Op(String verb, String resource, String object) {
}
