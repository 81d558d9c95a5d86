package org.sae4j.cli;

/** sae4j's version, from the jar manifest (Maven writes it), or "dev" when run from classes. */
final class Version {
    private Version() {
    }

    static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
