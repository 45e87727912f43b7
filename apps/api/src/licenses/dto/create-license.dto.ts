import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, Matches } from 'class-validator';
import type { Bytes32 } from '@upstream/api-contract';
import { IsBytes32Field } from '../../common/value-fields';
import { IsUint256String, IsUnixSeconds } from '../../common/number-fields';

export const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
export const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
/** 65 bytes from an account key; a contract wallet (ERC-1271) may need more (a Safe: 65 per signer). */
export const SIGNATURE = /^0x(?:[0-9a-fA-F]{2}){65,2048}$/;

/**
 * A signed EIP-712 LicenseAcceptance {datasetId, termsHash, licensee, nonce, deadline}. The signer's
 * address stays as sent (an EIP-55 checksum is checked with the signature, and errors echo it); the
 * service parses it to an `Address` once the signature holds.
 */
export class CreateLicenseDto {
  @ApiProperty({
    type: String,
    description: 'The dataset’s content root (its on-chain datasetId)',
    example: '0x' + 'ab'.repeat(32),
  })
  @IsBytes32Field('datasetId must be 0x followed by 64 hex digits')
  datasetId!: Bytes32;

  @ApiProperty({
    type: String,
    description: 'licenseTermsHash of the dataset’s current terms',
    example: '0x' + 'cd'.repeat(32),
  })
  @IsBytes32Field('termsHash must be 0x followed by 64 hex digits')
  termsHash!: Bytes32;

  @ApiProperty({
    description: 'The lab’s address; must be the signer',
    example: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  })
  @Matches(ADDRESS, { message: 'licensee must be a 0x address (40 hex digits)' })
  licensee!: string;

  @ApiProperty({ description: 'uint256 as a decimal string, never reused by this signer', example: '1' })
  @IsUint256String('nonce')
  nonce!: string;

  @ApiProperty({ description: 'Unix seconds after which the signature is void', example: 1893456000 })
  @IsUnixSeconds('deadline', { min: 1 })
  deadline!: number;

  @ApiProperty({ description: '65-byte EIP-712 signature by the licensee', example: '0x' + '11'.repeat(65) })
  @Matches(SIGNATURE, {
    message: 'signature must be 0x followed by hex bytes (65 for an account key; more for some contract wallets)',
  })
  signature!: string;
}

/** An owner's signed EIP-712 LicensingChange {datasetId, open, nonce, deadline}. */
export class SetLicensingDto {
  @ApiProperty({ description: 'false stops new licenses; existing ones run to their end', example: false })
  @IsBoolean({ message: 'open must be true or false' })
  open!: boolean;

  @ApiProperty({
    description: 'An owner of the dataset; must be the signer',
    example: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  })
  @Matches(ADDRESS, { message: 'signer must be a 0x address (40 hex digits)' })
  signer!: string;

  @ApiProperty({ example: '7' })
  @IsUint256String('nonce')
  nonce!: string;

  @ApiProperty({ example: 1893456000 })
  @IsUnixSeconds('deadline', { min: 1 })
  deadline!: number;

  @ApiProperty({ example: '0x' + '11'.repeat(65) })
  @Matches(SIGNATURE, {
    message: 'signature must be 0x followed by hex bytes (65 for an account key; more for some contract wallets)',
  })
  signature!: string;
}
