package android.provider;

public final class ContactsContract { public static class Contacts { public static final android.net.Uri CONTENT_URI = null; } }
