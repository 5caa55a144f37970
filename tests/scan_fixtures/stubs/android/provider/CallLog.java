package android.provider;

public class CallLog { public static class Calls { public static final android.net.Uri CONTENT_URI = null; } }
