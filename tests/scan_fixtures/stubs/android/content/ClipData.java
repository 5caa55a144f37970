package android.content;

public class ClipData { }
