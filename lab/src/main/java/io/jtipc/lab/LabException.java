package io.jtipc.lab;

/**
 * A lab failure that says which stage failed and carries what explains it (the tail of the guest
 * console log, the failing command's output). Never thrown for a bare timeout without context.
 */
public final class LabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What the lab was doing when it failed. */
    public enum Stage {
        /** a host tool or privilege is missing */
        PREREQUISITE,
        /** package lists, kernel download or unpack */
        DOWNLOAD,
        /** agent compile, module resolution, initramfs */
        BUILD,
        /** netns, bridge, tap, veth, tcpdump */
        NETWORK,
        /** qemu start, kernel boot, guest init */
        BOOT,
        /** a kernel module did not load in the guest */
        MODULE_LOAD,
        /** the control channel to the guest broke or answered nonsense */
        CONTROL,
        /** a command run in the guest failed or timed out */
        EXEC,
        /** TIPC links did not come up in time */
        LINK_TIMEOUT,
        /** an agent job did not print what was expected */
        AGENT
    }

    private final Stage stage;
    private final String detail;

    public LabException(Stage stage, String message, String detail) {
        this(stage, message, detail, null);
    }

    public LabException(Stage stage, String message, String detail, Throwable cause) {
        super("[lab " + stage.name().toLowerCase().replace('_', '-') + "] " + message
                + (detail == null || detail.isBlank() ? "" : "\n" + detail.stripTrailing()), cause);
        this.stage = stage;
        this.detail = detail == null ? "" : detail;
    }

    /** The stage that failed. */
    public Stage stage() {
        return stage;
    }

    /** The attached context (console log tail, command output), possibly empty. */
    public String detail() {
        return detail;
    }
}
