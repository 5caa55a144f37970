package android.content.pm;

public abstract class PackageManager { public abstract java.util.List<Object> getInstalledPackages(int flags); public abstract java.util.List<Object> queryIntentActivities(android.content.Intent i, int flags); }
