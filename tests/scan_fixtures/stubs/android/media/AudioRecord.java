package android.media;

public class AudioRecord { public AudioRecord(int a, int b, int c, int d, int e) { } public void startRecording() { } }
