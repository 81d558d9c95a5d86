package org.sae4j.cli;

/**
 * What {@link LauncherTest} runs through the {@code sae4j} launcher in place of the real jar: a main that uses the
 * JDK alone, so it can be packed into a jar of its own. {@code fail}: two stderr lines 300 ms apart, then exit 2.
 * {@code wait}: a shutdown hook that takes 500 ms and then says it ran; "ready" on stdout; sleep until stopped.
 */
public final class LauncherChild {
    private LauncherChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args[0].equals("fail")) {
            System.err.println("first line");
            Thread.sleep(300);
            System.err.println("last line");
            System.exit(2);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.err.println("stopped by a signal");
        }));
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(60_000);
    }
}
