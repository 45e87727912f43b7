import { Upload } from 'tus-js-client';

/**
 * Uploads one file's bytes with tus (POST /uploads, resumable): the server checks them against `sha256`.
 * tus-js-client remembers the upload's URL in localStorage, so after a tab reload the same file resumes
 * where it stopped instead of starting again.
 */
export function uploadBlob(
  file: File,
  sha256: string,
  token: string,
  onProgress: (bytesSent: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const upload = new Upload(file, {
      endpoint: '/uploads',
      headers: { Authorization: `Bearer ${token}` },
      metadata: { filename: file.name, sha256 },
      chunkSize: 16 * 1024 * 1024,
      retryDelays: [0, 1000, 3000],
      removeFingerprintOnSuccess: true,
      onProgress: (sent) => onProgress(sent),
      onSuccess: () => resolve(),
      onError: (error) => reject(error),
    });
    void upload.findPreviousUploads().then((previous) => {
      if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    }, reject);
  });
}
