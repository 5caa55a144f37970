package android.provider;

public final class CalendarContract { public static final class Events { public static final android.net.Uri CONTENT_URI = null; } }
