package android.content;

public abstract class Context { public abstract ContentResolver getContentResolver(); public abstract Object getSystemService(String name); public abstract android.content.pm.PackageManager getPackageManager(); }
