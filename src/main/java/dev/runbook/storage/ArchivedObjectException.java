package dev.runbook.storage;

import java.io.IOException;

/** Reading an object that sits in an archive tier; the message says how to restore it. */
public class ArchivedObjectException extends IOException {

    private final String key;
    private final String storageClass;

    public ArchivedObjectException(String key, String storageClass, String message) {
        super(message);
        this.key = key;
        this.storageClass = storageClass;
    }

    public String key() {
        return key;
    }

    public String storageClass() {
        return storageClass;
    }
}
