package android.content;

public class Intent { public Intent(String action) { } }
